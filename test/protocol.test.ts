import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRequest, parsePageMessage } from '../src/protocol/explorer';
import { isJobRequest, parseHostToWorker, parseWorkerMessage } from '../src/protocol/worker';

test('page messages: well-formed ones pass, malformed ones (the page is untrusted) are rejected; requests carry an id', () => {
  const write = parsePageMessage({ type: 'write', id: 3, layers: [0, 2, 4] });
  assert.deepEqual(write, { type: 'write', id: 3, layers: [0, 2, 4] });
  assert.ok(write && isRequest(write));
  const select = parsePageMessage({ type: 'select-run', runId: 'r1' });
  assert.deepEqual(select, { type: 'select-run', runId: 'r1' });
  assert.ok(select && !isRequest(select));
  for (const bad of [
    null,
    'write',
    [],
    { type: 'write', layers: [0, 2] },
    { type: 'write', id: -1, layers: [0, 2] },
    { type: 'write', id: 1.5, layers: [0, 2] },
    { type: 'write', id: 1 },
    { type: 'write', id: 1, layers: [] },
    { type: 'write', id: 1, layers: [0, 0] },
    { type: 'write', id: 1, layers: [-1] },
    { type: 'write', id: 1, layers: [1.5] },
    { type: 'write', id: 1, layers: '0,2' },
    { type: 'evaluate-selection', id: 1, layers: [null] },
    { type: 'heal-selection', id: 1, layers: [] },
    { type: 'heal-selection', layers: [0, 1] },
    { type: 'select-run', runId: '' },
    { type: 'toString' },
    { type: 'delete-everything' },
  ]) {
    assert.equal(parsePageMessage(bad), undefined, JSON.stringify(bad));
  }
});

test('job requests and worker messages are checked at the process boundary, ids included', () => {
  assert.ok(isJobRequest({ job: 'train', configFile: '/w/a.depthlab.json' }));
  assert.ok(isJobRequest({ job: 'train', configFile: '/w/a.depthlab.json', resume: true, analyze: true }));
  assert.ok(!isJobRequest({ job: 'train', configFile: '/w/a.depthlab.json', resume: false }));
  assert.ok(isJobRequest({ job: 'prune', configFile: '/w/a.depthlab.json', target: 3, strategy: 'importance', metric: 'block-influence' }));
  assert.ok(!isJobRequest({ job: 'prune', configFile: '/w/a.depthlab.json', target: 0 }));
  assert.ok(!isJobRequest({ job: 'prune', configFile: '/w/a.depthlab.json', strategy: 'random' }));
  assert.ok(!isJobRequest({ job: 'export', configFile: '/w/a.depthlab.json', layers: [2, 2] }));
  assert.ok(!isJobRequest({ job: 'analyze', configFile: '/w/a.depthlab.json', layers: [0] }), 'analysis sweeps a strategy, not a list');
  assert.ok(!isJobRequest({ job: 'train' }), 'no config file');
  assert.ok(!isJobRequest({ job: 'constructor', configFile: 'x' }));
  assert.ok(parseHostToWorker({ type: 'start', id: 1, request: { job: 'analyze', configFile: '/w/a.depthlab.json', runId: 'r' } }));
  assert.equal(parseHostToWorker({ type: 'start', request: { job: 'analyze', configFile: '/w/a.depthlab.json' } }), undefined, 'no id');
  assert.equal(parseHostToWorker({ type: 'start', id: 1, request: { job: 'analyze' } }), undefined);
  assert.ok(parseHostToWorker({ type: 'cancel', id: 1 }));
  assert.ok(parseWorkerMessage({ type: 'event', id: 1, event: { type: 'step', step: 1 } }));
  assert.ok(parseWorkerMessage({ type: 'failed', id: 1, message: 'x', user: true }));
  assert.equal(parseWorkerMessage({ type: 'done', result: {} }), undefined, 'no id');
  assert.equal(parseWorkerMessage({ type: 'failed', id: 1, message: 'x' }), undefined);
  assert.equal(parseWorkerMessage({ type: 'event', id: 1, event: 'step' }), undefined);
});
