import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { findRun } from '../src/core/run/runStore';
import { runSnapshot } from '../src/core/run/runSnapshot';
import { parseWorkerMessage, type HostToWorker, type JobRequest, type JobResult, type WorkerToHost } from '../src/protocol/worker';
import { tinyLanguageModel } from './helpers';
import { requireCheckpoint } from '../src/core/run/checkpointFiles';

const WORKER = path.resolve(__dirname, '../dist/worker.js');

/** Run one job in the real bundled worker, as the extension host does; optionally cancel it once it has taken `cancelAtStep` steps. */
function runJob(request: JobRequest, cancelAtStep?: number): Promise<{ messages: WorkerToHost[]; code: number | null }> {
  const id = 7;
  return new Promise((resolve) => {
    const child = fork(WORKER, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const messages: WorkerToHost[] = [];
    child.on('message', (raw) => {
      const message = parseWorkerMessage(raw);
      assert.ok(message, `malformed worker message ${JSON.stringify(raw)}`);
      assert.equal(message.id, id, 'every message answers the request id');
      messages.push(message);
      if (message.type === 'event' && message.event.type === 'step' && message.event.step === cancelAtStep) child.send({ type: 'cancel', id } satisfies HostToWorker);
    });
    child.on('exit', (code) => resolve({ messages, code }));
    child.send({ type: 'start', id, request } satisfies HostToWorker);
  });
}

/** The one reply, asserted to be a success. */
function result<T>(messages: WorkerToHost[]): T {
  const replies = messages.filter((m) => m.type === 'done' || m.type === 'failed');
  assert.equal(replies.length, 1, 'exactly one reply');
  assert.equal(replies[0].type, 'done', JSON.stringify(replies[0]));
  return (replies[0] as Extract<WorkerToHost, { type: 'done' }>).result as T;
}
const events = (messages: WorkerToHost[]) => messages.flatMap((m) => (m.type === 'event' ? [m.event] : []));

test('worker: a training job streams events, analyses the run, and exits; the explorer snapshot reads the run', async () => {
  const loaded = tinyLanguageModel({ prune: { strategy: 'every-other', targetLayers: 2 } });
  const { messages, code } = await runJob({ job: 'train', configFile: loaded.file, analyze: true });
  assert.equal(code, 0);
  const kinds = events(messages).map((e) => e.type);
  assert.deepEqual(kinds.slice(0, 2), ['backend', 'run-start']);
  assert.equal(kinds.filter((k) => k === 'step').length, 8);
  assert.ok(kinds.includes('run-end') && kinds.includes('phase') && kinds.includes('depth'));
  const done = result<JobResult<'train'>>(messages);
  assert.deepEqual([done.status, done.step, done.analysis?.keep], ['completed', 8, [0, 2]]);

  const snapshot = runSnapshot(findRun(loaded.file));
  assert.equal(snapshot.trainLoss.length, 8);
  assert.equal(snapshot.validLoss.length, 2);
  assert.deepEqual(snapshot.drops.map((d) => d.configuredRate), [0.5, 0.5, 0.5, 0.5]);
  const dropped = events(messages).flatMap((e) => (e.type === 'step' ? e.dropped : []));
  assert.deepEqual(snapshot.drops.map((d) => d.timesDropped), [0, 1, 2, 3].map((l) => dropped.filter((x) => x === l).length));
  assert.equal(snapshot.importance?.layers.length, 4);
  assert.deepEqual(snapshot.sweep?.rows.map((r) => r.depth), [4, 3, 2, 1]);

  const selection = await runJob({ job: 'prune', configFile: loaded.file, layers: [3, 0] });
  const evaluated = result<JobResult<'prune'>>(selection.messages);
  assert.deepEqual(evaluated.pruned.layers, [0, 3]);
  assert.deepEqual(evaluated.full.layers, [0, 1, 2, 3]);
  assert.equal(evaluated.full.loss, snapshot.importance!.fullLoss, 'same batches, same full-model loss as the analysis');
});

test('worker: cancel stops training with a checkpoint and the run marked cancelled; bad input is a user error', async () => {
  const loaded = tinyLanguageModel({ train: { steps: 100000, batchSize: 4, evalEvery: 0, checkpointEvery: 0, backend: 'wasm' } });
  const { messages, code } = await runJob({ job: 'train', configFile: loaded.file }, 3);
  assert.equal(code, 0);
  const done = result<JobResult<'train'>>(messages);
  assert.equal(done.status, 'cancelled');
  assert.ok(done.step >= 3);
  const run = findRun(loaded.file);
  assert.equal(JSON.parse(fs.readFileSync(run.record, 'utf8')).status, 'cancelled');
  assert.ok(fs.existsSync(requireCheckpoint(run).model));

  const bad = await runJob({ job: 'prune', configFile: loaded.file, layers: [0, 9] });
  const failed = bad.messages.find((m) => m.type === 'failed');
  assert.ok(failed?.type === 'failed');
  assert.equal(failed.user, true);
  assert.match(failed.message, /9/);
});
