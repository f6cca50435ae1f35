import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isJobRequest, parseHostToWorker, parseWebviewMessage, parseWorkerMessage } from '../src/protocol/messages';

test('webview messages: well-formed ones pass, malformed ones (the page is untrusted) are rejected', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'write', layers: [0, 2, 4] }), { type: 'write', layers: [0, 2, 4] });
  assert.deepEqual(parseWebviewMessage({ type: 'select-run', runId: 'r1' }), { type: 'select-run', runId: 'r1' });
  for (const bad of [
    null,
    'write',
    [],
    { type: 'write' },
    { type: 'write', layers: [] },
    { type: 'write', layers: [0, 0] },
    { type: 'write', layers: [-1] },
    { type: 'write', layers: [1.5] },
    { type: 'write', layers: '0,2' },
    { type: 'evaluate-selection', layers: [null] },
    { type: 'select-run', runId: '' },
    { type: 'toString' },
    { type: 'delete-everything' },
  ]) {
    assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
  }
});

test('job requests and worker messages are checked at the process boundary', () => {
  assert.ok(isJobRequest({ job: 'train', configFile: '/w/a.depthlab.json' }));
  assert.ok(isJobRequest({ job: 'prune', configFile: '/w/a.depthlab.json', target: 3 }));
  assert.ok(!isJobRequest({ job: 'prune', configFile: '/w/a.depthlab.json', target: 0 }));
  assert.ok(!isJobRequest({ job: 'export', configFile: '/w/a.depthlab.json', layers: [2, 2] }));
  assert.ok(!isJobRequest({ job: 'train' }), 'no config file');
  assert.ok(!isJobRequest({ job: 'constructor', configFile: 'x' }));
  assert.ok(parseHostToWorker({ type: 'start', request: { job: 'analyze', configFile: '/w/a.depthlab.json', runId: 'r' } }));
  assert.equal(parseHostToWorker({ type: 'start', request: { job: 'analyze' } }), undefined);
  assert.ok(parseWorkerMessage({ type: 'event', event: { type: 'step', step: 1 } }));
  assert.ok(parseWorkerMessage({ type: 'failed', message: 'x', user: true }));
  assert.equal(parseWorkerMessage({ type: 'failed', message: 'x' }), undefined);
  assert.equal(parseWorkerMessage({ type: 'event', event: 'step' }), undefined);
});
