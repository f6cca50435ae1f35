/**
 * A data-parallel training thread: its own TF.js engine and wasm instance (one core), a replica of
 * the model and of AdamW, the gradient of its share of each batch, and the main thread's averaged
 * gradient applied exactly as the main thread applies it (dataParallel.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '../backend/tf';
import { selectBackend, type ResolvedBackend } from '../backend/selectBackend';
import { Transformer } from '../model/transformer';
import { weightsOf, type Weights } from '../model/modelWeights';
import { Rng } from '../random/rng';
import { adamWFor } from './adamW';
import type { ShardInit, ShardReply, ShardRequest } from './dataParallel';
import { applyGradients, computeGradients } from './trainingStep';

async function main(): Promise<void> {
  const init = workerData as ShardInit;
  await selectBackend(init.backend as ResolvedBackend);
  const model = new Transformer(init.shape, toTensors(init.weights));
  const optimizer = adamWFor(model, init.optimizer.weightDecay);
  for (const [store, moments] of [['first', init.optimizer.first], ['second', init.optimizer.second]] as const) {
    for (const [name, { data, shape }] of Object.entries(moments)) optimizer.restore(store, name, tf.tensor(data, shape), init.optimizer.steps[name]);
  }
  const reply = (message: ShardReply, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);
  // An update that failed leaves the replica behind the main model: every later request says so.
  let failed: string | undefined;
  parentPort!.on('message', (request: ShardRequest) => {
    try {
      if (failed) throw new Error(failed);
      switch (request.type) {
        case 'gradients': {
          const { loss, grads } = computeGradients(model, request.batch, request.active, new Rng(request.seed), request.exitWeights);
          const data = Object.fromEntries([...grads].map(([name, grad]) => [name, (grad.dataSync() as Float32Array).slice()]));
          tf.dispose([...grads.values()]);
          reply({ type: 'grads', loss, grads: data }, Object.values(data).map((array) => array.buffer as ArrayBuffer));
          return;
        }
        case 'apply': {
          const grads = new Map(Object.entries(request.grads).map(([name, data]) => [name, tf.tensor(data, model.param(name).shape)]));
          try {
            applyGradients(model, optimizer, grads, request.lr, request.clipNorm);
          } catch (error) {
            failed = `the replica's update failed: ${(error as Error).message.split('\n')[0]}`;
          }
          return;
        }
        case 'weights':
          reply({ type: 'weights', weights: weightsOf(model) });
          return;
      }
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
