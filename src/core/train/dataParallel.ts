import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as tf from '../backend/tf';
import { builtFile } from '../files/builtFile';
import type { Batch } from '../model/layeredModel';
import type { Transformer } from '../model/transformer';
import type { Rng } from '../random/rng';
import { applyGradients, computeGradients } from './trainingStep';
import type { AdamW } from './adamW';
import type { GradientNorms } from './gradientNorms';
import { weightsOf, type Weights } from '../model/modelWeights';

export interface ShardInit {
  backend: string;
  shape: Transformer['shape'];
  weights: Weights;
  /** The main thread's optimizer, moments and step counts included: each replica's update is the same. */
  optimizer: OptimizerSnapshot;
}

export interface OptimizerSnapshot {
  weightDecay: number;
  first: Weights;
  second: Weights;
  steps: Record<string, number>;
}

/** Main thread → shard thread: gradients of this step's share of the batch; the merged gradients to apply; (tests) the replica's weights. */
export type ShardRequest =
  | { type: 'gradients'; batch: Batch; active: number[]; seed: number; exitWeights?: number[] }
  | { type: 'apply'; grads: Record<string, Float32Array>; lr: number; clipNorm: number }
  | { type: 'weights' };

export type ShardReply =
  | { type: 'ready' }
  | { type: 'grads'; loss: number; grads: Record<string, Float32Array> }
  | { type: 'weights'; weights: Weights }
  | { type: 'error'; message: string };

/**
 * Data-parallel training on T cores: the main thread computes the gradients of the first 1/T of
 * each batch, T − 1 threads (each its own wasm instance, as wasm runs one core per instance under
 * Node) the rest; the main thread averages them, the gradient of the whole batch up to float
 * rounding, and sends the average back. Every thread holds a replica of the model and of AdamW and
 * applies the same numbers in the same order, so the replicas stay equal bit for bit without the
 * weights crossing threads, and the threads apply their update while the main thread applies its own.
 */
export class DataParallel {
  private constructor(
    private readonly threads: Worker[],
    private readonly pending: Array<(reply: ShardReply) => void>,
  ) {}

  static async start(model: Transformer, optimizer: AdamW, weightDecay: number, backend: string, threads: number): Promise<DataParallel> {
    const init: ShardInit = { backend, shape: model.shape, weights: weightsOf(model), optimizer: optimizerSnapshot(optimizer, weightDecay) };
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

  /** One optimisation step on every replica: the whole batch's mean loss, and the gradient norms of the update applied here. */
  async step(model: Transformer, optimizer: AdamW, batch: Batch, active: number[], rng: Rng, seed: number, options: { lr: number; clipNorm: number; exitWeights?: number[] }): Promise<{ loss: number; norms: GradientNorms }> {
    const { loss, grads } = await this.gradients(model, batch, active, rng, seed, options.exitWeights);
    const data = Object.fromEntries([...grads].map(([name, grad]) => [name, grad.dataSync() as Float32Array]));
    for (const worker of this.threads) worker.postMessage({ type: 'apply', grads: data, lr: options.lr, clipNorm: options.clipNorm } satisfies ShardRequest);
    return { loss, norms: applyGradients(model, optimizer, grads, options.lr, options.clipNorm) };
  }

  /** Each thread's replica of the weights, to check that they stayed the main model's. */
  async replicaWeights(): Promise<Weights[]> {
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

  /** The whole batch's mean loss and gradients (by parameter name); the main model's share is computed here. */
  private async gradients(model: Transformer, batch: Batch, active: number[], rng: Rng, seed: number, exitWeights?: number[]): Promise<{ loss: number; grads: Map<string, tf.Tensor> }> {
    const shards = splitBatch(batch, this.threads.length + 1);
    const replies = this.threads.map((worker, i) => {
      const reply = this.next(i);
      worker.postMessage({ type: 'gradients', batch: shards[i + 1], active, seed: seed * 1009 + i, exitWeights } satisfies ShardRequest);
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

  async dispose(): Promise<void> {
    await Promise.all(this.threads.map((worker) => worker.terminate()));
  }

  private next(i: number): Promise<ShardReply> {
    return new Promise((resolve) => (this.pending[i] = resolve));
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
