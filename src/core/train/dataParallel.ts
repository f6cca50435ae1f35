import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as tf from '../backend/tf';
import { builtFile } from '../files/builtFile';
import type { Batch } from '../model/layeredModel';
import type { Transformer } from '../model/transformer';
import type { Rng } from '../random/rng';
import { computeGradients } from './trainingStep';
import { weightsOf, type Weights } from '../model/modelWeights';

export interface ShardInit {
  backend: string;
  shape: Transformer['shape'];
  weights: Weights;
}

/** Main thread → shard thread: the weights when they changed, and this step's share of the batch. */
export interface ShardRequest {
  weights?: Weights;
  batch: Batch;
  active: number[];
  seed: number;
  exitWeights?: number[];
}

export type ShardReply = { type: 'ready' } | { type: 'grads'; loss: number; grads: Record<string, Float32Array> } | { type: 'error'; message: string };

/**
 * Data-parallel gradients on T cores: the main thread computes the first 1/T of each batch, T − 1
 * threads (each its own wasm instance, as wasm runs one core per instance under Node) the rest, and
 * the mean of their gradients is the gradient of the whole batch up to float rounding. The caller
 * applies it to the main model; the threads get the new weights with the next step.
 */
export class DataParallel {
  private weightsStale = false;

  private constructor(
    private readonly threads: Worker[],
    private readonly pending: Array<(reply: ShardReply) => void>,
  ) {}

  static async start(model: Transformer, backend: string, threads: number): Promise<DataParallel> {
    const init: ShardInit = { backend, shape: model.shape, weights: weightsOf(model) };
    const workers = Array.from({ length: threads - 1 }, () => new Worker(threadScript(), { workerData: init }));
    const pending: Array<(reply: ShardReply) => void> = [];
    const parallel = new DataParallel(workers, pending);
    const replies = workers.map((worker, i) => {
      worker.on('message', (reply: ShardReply) => pending[i]?.(reply));
      worker.on('error', (error) => pending[i]?.({ type: 'error', message: error.message }));
      return parallel.next(i);
    });
    for (const reply of await Promise.all(replies)) if (reply.type === 'error') throw new Error(`training thread failed to start: ${reply.message}`);
    return parallel;
  }

  /** The whole batch's mean loss and gradients (by parameter name); the main model's share is computed here. */
  async gradients(model: Transformer, batch: Batch, active: number[], rng: Rng, seed: number, exitWeights?: number[]): Promise<{ loss: number; grads: Map<string, tf.Tensor> }> {
    const shards = splitBatch(batch, this.threads.length + 1);
    const weights = this.weightsStale ? weightsOf(model) : undefined;
    this.weightsStale = false;
    const replies = this.threads.map((worker, i) => {
      const reply = this.next(i);
      worker.postMessage({ weights, batch: shards[i + 1], active, seed: seed * 1009 + i, exitWeights } satisfies ShardRequest);
      return reply;
    });
    const own = computeGradients(model, shards[0], active, rng, exitWeights);
    const others = await Promise.all(replies);
    const losses = [own.loss];
    const sums = new Map(own.grads);
    for (const reply of others) {
      if (reply.type !== 'grads') {
        tf.dispose([...sums.values()]);
        throw new Error(`training thread failed: ${reply.type === 'error' ? reply.message : 'no gradients'}`);
      }
      losses.push(reply.loss);
      for (const [name, data] of Object.entries(reply.grads)) {
        const previous = sums.get(name)!;
        sums.set(name, tf.tidy(() => previous.add(tf.tensor(data, previous.shape))));
        previous.dispose();
      }
    }
    const parts = losses.length;
    const grads = new Map([...sums].map(([name, sum]) => [name, tf.tidy(() => sum.div(parts))]));
    tf.dispose([...sums.values()]);
    return { loss: losses.reduce((a, b) => a + b, 0) / parts, grads };
  }

  /** Call after the main model's weights changed: they go to the threads with the next step. */
  weightsChanged(): void {
    this.weightsStale = true;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.threads.map((worker) => worker.terminate()));
  }

  private next(i: number): Promise<ShardReply> {
    return new Promise((resolve) => (this.pending[i] = resolve));
  }
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
