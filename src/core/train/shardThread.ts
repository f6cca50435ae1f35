/**
 * A data-parallel training thread: its own TF.js engine and wasm instance (one core), a replica of
 * the model and of AdamW, and its part of each step in shared memory: the gradient of its share of
 * the batch, its 1/T of the average, and the average applied exactly as the main thread applies it
 * (dataParallel.ts, sharedStep.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '../backend/tf';
import { selectBackend } from '../backend/selectBackend';
import { type ResolvedBackend } from '../backend/backendDescription';
import { Transformer } from '../model/transformer';
import { weightsOf, type Weights } from '../model/modelWeights';
import { Rng } from '../random/rng';
import { adamWFor } from './adamW';
import type { ShardInit, ShardReply, ShardRequest } from './dataParallel';
import { SharedStep } from './sharedStep';
import { computeGradients } from './trainingStep';

async function main(): Promise<void> {
  const init = workerData as ShardInit;
  await selectBackend(init.backend as ResolvedBackend);
  const model = new Transformer(init.shape, toTensors(init.weights));
  const optimizer = adamWFor(model, init.optimizer.weightDecay);
  for (const [store, moments] of [['first', init.optimizer.first], ['second', init.optimizer.second]] as const) {
    for (const [name, { data, shape }] of Object.entries(moments)) optimizer.restore(store, name, tf.tensor(data, shape), init.optimizer.steps[name]);
  }
  const shared = SharedStep.attach(model, init.memory);
  const reply = (message: ShardReply) => parentPort!.postMessage(message);
  // An update that failed leaves the replica behind the main model: every later step says so.
  let failed: string | undefined;

  const step = (request: Extract<ShardRequest, { type: 'step' }>): ShardReply => {
    const { names, error } = shared.share(init.slot, () => {
      if (failed) throw new Error(failed);
      return computeGradients(model, request.batch, request.active, new Rng(request.seed), request.exitWeights);
    });
    // Every thread meets the others at both barriers, or leaves after the first when one failed.
    shared.barrier.arriveAndWait();
    if (shared.stepFailed) return error ? { type: 'error', message: (error as Error).message.split('\n')[0] } : { type: 'abandoned' };
    shared.averagePart(init.slot, names);
    shared.barrier.arriveAndWait();
    try {
      shared.apply(model, optimizer, names, request.lr, request.clipNorm);
      return { type: 'stepped' };
    } catch (caught) {
      failed = `the replica's update failed: ${(caught as Error).message.split('\n')[0]}`;
      return { type: 'error', message: failed };
    }
  };

  parentPort!.on('message', (request: ShardRequest) => {
    switch (request.type) {
      case 'step':
        reply(step(request));
        return;
      case 'weights':
        reply({ type: 'weights', weights: weightsOf(model) });
        return;
    }
  });
  reply({ type: 'ready' });
}

function toTensors(weights: Weights): Map<string, tf.Tensor> {
  return new Map(Object.entries(weights).map(([name, { data, shape }]) => [name, tf.tensor(data, shape)]));
}

void main();
