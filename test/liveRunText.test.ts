import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveRunText } from '../src/core/report/liveRunText';
import { eventText } from '../src/core/report/eventText';

test("a running job's lens text: the step while training, the phase while evaluating, nothing for events that change neither", () => {
  assert.equal(liveRunText({ type: 'step', step: 12, steps: 30, loss: 2, lr: 0.01, dropped: [], tokensPerSecond: 100 }), 'training 12/30');
  assert.equal(liveRunText({ type: 'phase', phase: 'importance', detail: 'per-layer importance on 2 validation batches' }), 'measuring each layer');
  assert.equal(liveRunText({ type: 'phase', phase: 'sweep', detail: 'contiguous-block at every depth 4…1', part: 3, of: 5 }), 'sweeping 3/5');
  assert.equal(liveRunText({ type: 'progress', label: 'heal', done: 30, total: 120, unit: 'steps', etaSeconds: 9 }), 'heal 25%');
  assert.equal(liveRunText({ type: 'phase', phase: 'load', detail: 'loading x' }), undefined);
  assert.equal(liveRunText({ type: 'notice', text: 'hello' }), undefined);
});

test('the log line of a sweep says which of the sweeps it is', () => {
  assert.equal(eventText({ type: 'phase', phase: 'sweep', detail: 'spread at every depth 4…1', part: 4, of: 5 }), 'sweep 4/5: spread at every depth 4…1');
  assert.equal(eventText({ type: 'phase', phase: 'angular', detail: 'angular distance' }), 'angular: angular distance');
});
