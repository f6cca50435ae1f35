import assert from 'node:assert/strict';
import { test } from 'node:test';
import { breakDepth, breakText } from '../src/core/evaluate/breakDepth';
import type { DepthRow } from '../src/core/evaluate/depthSweep';

const row = (depth: number, loss: number, stepStdErr?: number): DepthRow => ({ depth, layers: [], loss, msPerBatch: 1, ...(stepStdErr !== undefined && { stepStdErr }) });

test('the break is the largest step of depth, when it stands out of the noise', () => {
  // 16 layers: smooth to 9, then 0.8 nats at 8, then smooth again.
  const rows = Array.from({ length: 16 }, (_, i) => {
    const depth = 16 - i;
    const loss = 2 + 0.01 * i + (depth <= 8 ? 0.8 : 0);
    return row(depth, loss, i === 0 ? undefined : 0.02);
  });
  assert.deepEqual(breakDepth(rows), { holdsTo: 9, at: 8, jump: rows[8].loss - rows[7].loss, stdErr: 0.02 });
  assert.equal(breakText('every-other', rows), 'every-other holds to 9 of 16 layers, then loses 0.81 ± 0.0200 nats at 8 (the largest step of the sweep)');
  // Any order in, the same answer.
  assert.deepEqual(breakDepth([...rows].reverse()), breakDepth(rows));
});

test('no break when every step is within two errors, or a step falls; no claim without step errors', () => {
  const smooth = [row(4, 2.0), row(3, 2.01, 0.01), row(2, 2.03, 0.02), row(1, 2.0, 0.05)];
  assert.equal(breakDepth(smooth), undefined);
  assert.equal(breakText('spread', smooth), 'spread: no single step of depth costs more than 2 errors from 4 layers down to 1');
  const falling = [row(3, 2.5), row(2, 2.0, 0.01), row(1, 1.9, 0.01)];
  assert.equal(breakDepth(falling), undefined);
  assert.equal(breakText('importance', [row(2, 2), row(1, 3)]), undefined);
});
