/**
 * An evaluation thread: its own TF.js engine and wasm instance (one core), a replica of the model,
 * and the per-batch numbers of its share of each pass (evaluationThreads.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '../backend/tf';
import { selectBackend } from '../backend/selectBackend';
import { type ResolvedBackend } from '../backend/backendDescription';
import { openPretrained } from '../huggingface/openPretrained';
import type { LayeredModel } from '../model/layeredModel';
import type { Batch } from '../data/batch';
import { Transformer } from '../model/transformer';
import { runBatchTask } from './batchTasks';
import { type BatchTask } from '../model/layeredModel';
import type { EvaluationReply, EvaluationThreadInit, ModelReplica } from './evaluationThreads';

function replicaOf(replica: ModelReplica, backend: string): LayeredModel {
  // One layer at a time even where the calling thread holds the model whole: every thread then holds
  // one layer, not a copy of the model. Same numbers bit for bit; GPT-2 small's analysis took as long.
  if (replica.kind === 'pretrained') return openPretrained(replica.folder, backend, true).model;
  return new Transformer(replica.shape, new Map(Object.entries(replica.weights).map(([name, { data, shape }]) => [name, tf.tensor(data, shape)])));
}

async function main(): Promise<void> {
  const { backend, replica, flag, port } = workerData as EvaluationThreadInit;
  let model: LayeredModel;
  try {
    await selectBackend(backend as ResolvedBackend);
    model = replicaOf(replica, backend);
  } catch (error) {
    parentPort!.postMessage({ error: (error as Error).message.split('\n')[0] } satisfies EvaluationReply);
    return;
  }
  parentPort!.on('message', ({ batches, task }: { batches: Batch[]; task: BatchTask }) => {
    let reply: EvaluationReply;
    try {
      reply = { values: batches.map((batch) => runBatchTask(model, batch, task)) };
    } catch (error) {
      reply = { error: (error as Error).message.split('\n')[0] };
    }
    port.postMessage(reply);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
  parentPort!.postMessage({ values: [] } satisfies EvaluationReply);
}

void main();
