import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveRunText } from '../src/core/report/liveRunText';

test("a running job's lens text: the step while training, the phase while evaluating, nothing for events that change neither", () => {
  assert.equal(liveRunText({ type: 'step', step: 12, steps: 30, loss: 2, lr: 0.01, dropped: [], tokensPerSecond: 100 }), 'training 12/30');
  assert.equal(liveRunText({ type: 'phase', phase: 'sweep', detail: 'every-other at every depth 4…1' }), 'evaluating: every-other at every depth 4…1');
  assert.equal(liveRunText({ type: 'progress', label: 'analyze', done: 30, total: 120, unit: 'layer evaluations a batch', etaSeconds: 9 }), 'analyze 25%');
  assert.equal(liveRunText({ type: 'phase', phase: 'load', detail: 'loading x' }), undefined);
  assert.equal(liveRunText({ type: 'notice', text: 'hello' }), undefined);
});
