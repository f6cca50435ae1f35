import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as tf from '../backend/tf';
import { builtFile } from '../files/builtFile';
import type { Batch } from '../data/batch';
import type { Transformer } from '../model/transformer';
import type { Rng } from '../random/rng';
import { computeGradients } from './trainingStep';
import type { AdamW } from './adamW';
import type { GradientNorms } from './gradientNorms';
import { weightsOf, type Weights } from '../model/modelWeights';
import { SharedStep, type SharedStepMemory } from './sharedStep';

export interface ShardInit {
  backend: string;
  shape: Transformer['shape'];
  weights: Weights;
  /** The main thread's optimizer, moments and step counts included: each replica's update is the same. */
  optimizer: OptimizerSnapshot;
  /** The step's shared memory (sharedStep.ts), and this thread's slot in it. */
  memory: SharedStepMemory;
  slot: number;
}

export interface OptimizerSnapshot {
  weightDecay: number;
  first: Weights;
  second: Weights;
  steps: Record<string, number>;
}

/** Main thread → shard thread: one optimisation step on this thread's share of the batch; (tests) the replica's weights. */
export type ShardRequest =
  | { type: 'step'; batch: Batch; active: number[]; seed: number; exitWeights?: number[]; lr: number; clipNorm: number }
  | { type: 'weights' };

/** `abandoned`: another thread failed to compute its share, so no replica applied this step. */
export type ShardReply =
  | { type: 'ready' }
  | { type: 'stepped' }
  | { type: 'abandoned' }
  | { type: 'weights'; weights: Weights }
  | { type: 'error'; message: string };

/**
 * Data-parallel training on T cores: the main thread computes the gradients of the first 1/T of
 * each batch, T − 1 threads (each its own wasm instance, as wasm runs one core per instance under
 * Node) the rest, into shared memory; each thread then averages 1/T of them there, the gradient of
 * the whole batch up to float rounding. Every thread holds a replica of the model and of AdamW and
 * applies the same average in the same order, so the replicas stay equal bit for bit without the
 * weights crossing threads. One message starts a thread's step and one answers it; the threads
 * meet at two barriers in shared memory in between (sharedStep.ts).
 */
export class DataParallel {
  private constructor(
    private readonly threads: Worker[],
    /** Per thread, the requests not yet answered, oldest first: a thread answers in order. */
    private readonly pending: Array<Array<(reply: ShardReply) => void>>,
    private readonly shared: SharedStep,
    /** Rejects when a thread stops (a crash, or dispose): the barriers must not wait for it then. */
    private readonly stopped: Promise<never>,
  ) {}

  /**
   * The last step's answers. A step does not wait for them: a thread answers once its update is
   * applied, and reads the next step's request right after, while the main thread is still between
   * steps. A replica whose update failed fails its next step, which then throws.
   */
  private unanswered: Array<Promise<ShardReply>> = [];

  static async start(model: Transformer, optimizer: AdamW, weightDecay: number, backend: string, threads: number): Promise<DataParallel> {
    const shared = SharedStep.create(model, threads);
    const init: Omit<ShardInit, 'slot'> = { backend, shape: model.shape, weights: weightsOf(model), optimizer: optimizerSnapshot(optimizer, weightDecay), memory: shared.memory };
    const workers = Array.from({ length: threads - 1 }, (_, i) => new Worker(threadScript(), { workerData: { ...init, slot: i + 1 } satisfies ShardInit }));
    const pending = workers.map((): Array<(reply: ShardReply) => void> => []);
    let stop: (error: Error) => void = () => {};
    const stopped = new Promise<never>((_, reject) => (stop = reject));
    stopped.catch(() => {});
    const parallel = new DataParallel(workers, pending, shared, stopped);
    const replies = workers.map((worker, i) => {
      const fail = (message: string) => {
        for (const answer of pending[i].splice(0)) answer({ type: 'error', message });
        stop(new Error(`training thread failed: ${message}`));
      };
      worker.on('message', (reply: ShardReply) => pending[i].shift()?.(reply));
      worker.on('error', (error) => fail(error.message));
      worker.on('exit', (code) => fail(`the thread stopped (exit code ${code})`));
      return parallel.next(i);
    });
    for (const reply of await Promise.all(replies)) if (reply.type === 'error') throw new Error(`training thread failed to start: ${reply.message}`);
    return parallel;
  }

  /** One optimisation step on every replica (the threads may still be applying it on return): the whole batch's mean loss, and the gradient norms of the update applied. */
  async step(model: Transformer, optimizer: AdamW, batch: Batch, active: number[], rng: Rng, seed: number, options: { lr: number; clipNorm: number; exitWeights?: number[] }): Promise<{ loss: number; norms: GradientNorms }> {
    const { shared } = this;
    const shards = splitBatch(batch, this.threads.length + 1);
    shared.reset();
    const replies = this.threads.map((worker, i) => {
      const reply = this.next(i);
      worker.postMessage({ type: 'step', batch: shards[i + 1], active, seed: seed * 1009 + i, exitWeights: options.exitWeights, lr: options.lr, clipNorm: options.clipNorm } satisfies ShardRequest);
      return reply;
    });
    const meet = () => Promise.race([shared.barrier.arriveAndWaitAsync(), this.stopped]);
    const { names, error: ownError } = shared.share(0, () => computeGradients(model, shards[0], active, rng, options.exitWeights));
    await meet();
    if (shared.stepFailed) {
      const answers = await Promise.all(replies);
      this.unanswered = [];
      if (ownError) throw ownError;
      const failure = answers.find((answer) => answer.type === 'error');
      throw new Error(`training thread failed: ${failure?.type === 'error' ? failure.message : 'no gradients'}`);
    }
    shared.averagePart(0, names);
    await meet();
    const norms = shared.apply(model, optimizer, names, options.lr, options.clipNorm);
    this.unanswered = replies;
    return { loss: shared.meanLoss(), norms };
  }

  /** Each thread's replica of the weights, to check that they stayed the main model's. */
  async replicaWeights(): Promise<Weights[]> {
    const failure = (await Promise.all(this.unanswered)).find((answer) => answer.type === 'error');
    if (failure?.type === 'error') throw new Error(`training thread failed: ${failure.message}`);
    return Promise.all(
      this.threads.map(async (worker, i) => {
        const reply = this.next(i);
        worker.postMessage({ type: 'weights' } satisfies ShardRequest);
        const answer = await reply;
        if (answer.type !== 'weights') throw new Error(`training thread failed: ${answer.type === 'error' ? answer.message : 'no weights'}`);
        return answer.weights;
      }),
    );
  }

  async dispose(): Promise<void> {
    await Promise.all(this.threads.map((worker) => worker.terminate()));
  }

  private next(i: number): Promise<ShardReply> {
    return new Promise((resolve) => this.pending[i].push(resolve));
  }
}

/** The optimizer's state as plain arrays, for a replica to start from. */
function optimizerSnapshot(optimizer: AdamW, weightDecay: number): OptimizerSnapshot {
  const arrays = (store: Map<string, tf.Variable>) => Object.fromEntries([...store].map(([name, value]) => [name, { shape: value.shape, data: (value.dataSync() as Float32Array).slice() }]));
  return { weightDecay, first: arrays(optimizer.firstMoments), second: arrays(optimizer.secondMoments), steps: Object.fromEntries(optimizer.steps) };
}

/** Equal shares of a batch, in order (the batch size is a multiple of the share count; the config checks it). */
export function splitBatch(batch: Batch, parts: number): Batch[] {
  const size = batch.size / parts;
  const tokens = size * batch.length;
  const targetsPer = batch.targets.length / parts;
  return Array.from({ length: parts }, (_, i) => ({
    size,
    length: batch.length,
    inputs: batch.inputs.slice(i * tokens, (i + 1) * tokens),
    targets: batch.targets.slice(i * targetsPer, (i + 1) * targetsPer),
    mask: batch.mask?.slice(i * tokens, (i + 1) * tokens),
  }));
}

function threadScript(): string {
  const script = builtFile('shardThread.js');
  if (!fs.existsSync(script)) throw new Error(`${script} is missing; run npm run build`);
  return script;
}
