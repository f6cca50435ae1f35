/**
 * A data-parallel training thread: its own TF.js engine and wasm instance (one core), a replica of
 * the model, and the gradient of its share of each batch. The main thread owns the optimizer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '../backend/tf';
import { selectBackend, type ResolvedBackend } from '../backend/selectBackend';
import { Transformer } from '../model/transformer';
import { Rng } from '../random/rng';
import type { ShardInit, ShardReply, ShardRequest } from './dataParallel';
import type { Weights } from '../model/modelWeights';
import { computeGradients } from './trainingStep';

async function main(): Promise<void> {
  const init = workerData as ShardInit;
  await selectBackend(init.backend as ResolvedBackend);
  const model = new Transformer(init.shape, toTensors(init.weights));
  const reply = (message: ShardReply, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);
  parentPort!.on('message', (request: ShardRequest) => {
    try {
      for (const [name, { data, shape }] of Object.entries(request.weights ?? {})) tf.tidy(() => model.param(name).assign(tf.tensor(data, shape)));
      const { loss, grads } = computeGradients(model, request.batch, request.active, new Rng(request.seed), request.exitWeights);
      const data = Object.fromEntries([...grads].map(([name, grad]) => [name, (grad.dataSync() as Float32Array).slice()]));
      tf.dispose([...grads.values()]);
      reply({ type: 'grads', loss, grads: data }, Object.values(data).map((array) => array.buffer as ArrayBuffer));
    } catch (error) {
      reply({ type: 'error', message: (error as Error).message.split('\n')[0] });
    }
  });
  reply({ type: 'ready' });
}

function toTensors(weights: Weights): Map<string, tf.Tensor> {
  return new Map(Object.entries(weights).map(([name, { data, shape }]) => [name, tf.tensor(data, shape)]));
}

void main();
