import * as fs from 'node:fs';
import * as os from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { builtFile } from '../files/builtFile';
import { threadsHelp } from '../backend/threadCount';
import type { LayeredModel } from '../model/layeredModel';
import type { Batch } from '../data/batch';
import type { Transformer } from '../model/transformer';
import { weightsOf, type Weights } from '../model/modelWeights';
import { runBatchTask } from './batchTasks';
import { type BatchTask } from '../model/layeredModel';

/** How a thread rebuilds the model: DepthLab's weights as they are now, or a Hugging Face folder to open. */
export type ModelReplica = { kind: 'transformer'; shape: Transformer['shape']; weights: Weights } | { kind: 'pretrained'; folder: string };

export interface EvaluationThreadInit {
  backend: string;
  replica: ModelReplica;
  /** The thread sets element 0 to 1 when its reply is on `port`. */
  flag: Int32Array;
  port: MessagePort;
}

export type EvaluationReply = { values: Float64Array[] } | { error: string };

const attached = new WeakMap<LayeredModel, EvaluationThreads>();

/** Threads for evaluating a model no config speaks for (a Hugging Face folder): as asked, else one per core, at most 4 (each holds one layer of the model at a time); one off wasm. */
export const evaluationThreadCount = (requested?: number) => (threadsHelp() ? (requested ?? Math.min(os.availableParallelism(), 4)) : 1);

/**
 * Evaluation on several cores: T − 1 threads, each with its own wasm instance (one core) and a
 * replica of the model, and this thread. A pass's batches are cut into T contiguous shares; each
 * thread computes its share's per-batch numbers, and they are put back in batch order, so every
 * result is the same, bit for bit, as on one thread. The calling thread waits synchronously
 * (Atomics.wait, then receiveMessageOnPort), so the passes keep their synchronous signatures.
 */
export class EvaluationThreads {
  /** Batches the other threads have evaluated. */
  batchesElsewhere = 0;
  private model?: LayeredModel;

  private constructor(
    private readonly workers: Worker[],
    private readonly flags: Int32Array[],
    private readonly ports: MessagePort[],
  ) {}

  /** Start the threads for `model` and attach them to it: its evaluations use them until `dispose`. */
  static async attach(model: LayeredModel, replica: ModelReplica, backend: string, threads: number): Promise<EvaluationThreads> {
    const flags: Int32Array[] = [];
    const ports: MessagePort[] = [];
    const workers = Array.from({ length: threads - 1 }, () => {
      const { port1, port2 } = new MessageChannel();
      const flag = new Int32Array(new SharedArrayBuffer(4));
      flags.push(flag);
      ports.push(port1);
      return new Worker(threadScript(), { workerData: { backend, replica, flag, port: port2 } satisfies EvaluationThreadInit, transferList: [port2] });
    });
    const pool = new EvaluationThreads(workers, flags, ports);
    try {
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve, reject) => {
              worker.once('message', (message: EvaluationReply) => ('error' in message ? reject(new Error(`evaluation thread failed to start: ${message.error}`)) : resolve()));
              worker.once('error', reject);
            }),
        ),
      );
    } catch (error) {
      await pool.dispose();
      throw error;
    }
    attached.set(model, pool);
    pool.model = model;
    return pool;
  }

  /** The per-batch numbers of `task` over `batches`, in batch order, this thread taking the first share. */
  run(model: LayeredModel, batches: Batch[], task: BatchTask): Float64Array[] {
    const shares = contiguousShares(batches, this.workers.length + 1);
    this.workers.forEach((worker, i) => {
      Atomics.store(this.flags[i], 0, 0);
      worker.postMessage({ batches: shares[i + 1], task });
    });
    const own = shares[0].map((batch) => runBatchTask(model, batch, task));
    this.batchesElsewhere += batches.length - shares[0].length;
    const theirs = this.workers.map((_, i) => {
      Atomics.wait(this.flags[i], 0, 0);
      const reply = receiveMessageOnPort(this.ports[i])?.message as EvaluationReply | undefined;
      if (!reply || 'error' in reply) throw new Error(`evaluation thread failed: ${reply?.error ?? 'no reply'}`);
      return reply.values;
    });
    return [own, ...theirs].flat();
  }

  /** Stop the threads; the model they served evaluates on its own thread again. */
  async dispose(): Promise<void> {
    if (this.model && attached.get(this.model) === this) attached.delete(this.model);
    for (const port of this.ports) port.close();
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** The batch results of a pass: shared with the model's evaluation threads when it has them, or computed where the model lives (the torch backend). */
export function batchResults(model: LayeredModel, batches: Batch[], task: BatchTask): Float64Array[] {
  if (model.runBatches) return model.runBatches(batches, task);
  const threads = attached.get(model);
  return threads && batches.length > 1 ? threads.run(model, batches, task) : batches.map((batch) => runBatchTask(model, batch, task));
}

/**
 * Run `use` with `model`'s evaluations on `threads` cores (one: as is), and stop the threads
 * afterwards. The replicas hold the weights as they are now: `use` must not change them.
 */
export async function withEvaluationThreads<T>(model: LayeredModel, replica: () => ModelReplica, backend: string, threads: number, use: () => T | Promise<T>): Promise<T> {
  if (threads < 2) return use();
  const pool = await EvaluationThreads.attach(model, replica(), backend, threads);
  try {
    return await use();
  } finally {
    await pool.dispose();
  }
}

/** `withEvaluationThreads` for one of DepthLab's own models, its replicas built from its current weights. */
export function withTransformerThreads<T>(model: Transformer, backend: string, threads: number, use: () => T | Promise<T>): Promise<T> {
  return withEvaluationThreads(model, () => ({ kind: 'transformer', shape: model.shape, weights: weightsOf(model) }), backend, threads, use);
}

/** T shares of consecutive batches, as equal as they come (the first ones one longer). */
export function contiguousShares<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.floor(items.length / parts);
  const extra = items.length % parts;
  let start = 0;
  return Array.from({ length: parts }, (_, i) => {
    const end = start + size + (i < extra ? 1 : 0);
    const share = items.slice(start, end);
    start = end;
    return share;
  });
}

function threadScript(): string {
  const script = builtFile('evaluationThread.js');
  if (!fs.existsSync(script)) throw new Error(`${script} is missing; run npm run build`);
  return script;
}
