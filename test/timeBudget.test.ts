import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../src/core/errors';
import { batchesThatFit, TimeBudget, walkSeconds } from '../src/core/analysis/timeBudget';
import { durationText, parseDuration } from '../src/core/config/duration';
import { analysisBudget } from '../src/core/config/analysisBudget';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Batch } from '../src/core/data/batch';

test('--budget reads 90s, 5m, 1h, 2m30s and bare seconds; anything else is one user error saying what is allowed', () => {
  assert.deepEqual(['90', '90s', '5m', '1.5m', '1h', '2m30s', '1h 1m 1s'].map(parseDuration), [90, 90, 300, 90, 3600, 150, 3661]);
  for (const bad of ['', '0', '5 minutes', 'm', '-3s', '10x']) assert.throws(() => parseDuration(bad), (error: Error) => error instanceof UserError && /allowed: a duration such as 90s, 5m, 1h or 2m30s/.test(error.message), bad);
  assert.deepEqual([durationText(0.001), durationText(4.25), durationText(45), durationText(600), durationText(150)], ['0.001 s', '4.3 s', '45 s', '10 min', '2 min 30 s']);
});

/** `count` causal-LM batches of 4 windows of 3 tokens, window w holding tokens 10w, 10w + 1, 10w + 2. */
const batchesOf = (count: number): Batch[] =>
  Array.from({ length: count }, (_, b) => {
    const inputs = Int32Array.from({ length: 12 }, (_, i) => 10 * (4 * b + Math.floor(i / 3)) + (i % 3));
    return { size: 4, length: 3, inputs, targets: inputs.map((id) => id + 1) };
  });

const perWindow = (seconds: number) => (batch: Batch) => batch.size * seconds;

test('a budget keeps the first batches that fit (threads sharing them), never more than there are', () => {
  assert.equal(batchesThatFit(batchesOf(100), perWindow(2.5), 1, 60).length, 6);
  assert.equal(batchesThatFit(batchesOf(100), perWindow(2.5), 2, 60).length, 12);
  assert.equal(batchesThatFit(batchesOf(4), perWindow(2.5), 2, 600).length, 4);
  // Nine batches on two threads take five batches' time: 50 s, past 45.
  assert.equal(batchesThatFit(batchesOf(100), perWindow(2.5), 2, 45).length, 8);
  assert.equal(batchesThatFit(batchesOf(100), perWindow(10), 1, 5).length, 0);
});

test('when fewer than four batches fit, the budget measures window by window: the same tokens in order, one window a batch', () => {
  const all = batchesOf(10);
  const windows = batchesThatFit(all, perWindow(2.5), 1, 30);
  assert.equal(windows.length, 12);
  assert.ok(windows.every((batch) => batch.size === 1 && batch.inputs.length === 3 && batch.targets.length === 3));
  assert.deepEqual(windows.flatMap((batch) => [...batch.inputs]), [...all[0].inputs, ...all[1].inputs, ...all[2].inputs]);
  assert.deepEqual(windows.flatMap((batch) => [...batch.targets]), [...all[0].targets, ...all[1].targets, ...all[2].targets]);
  assert.equal(batchesThatFit(all, perWindow(2.5), 1, 10).length, 4);
});

test('a budget estimates a phase from its layer evaluations and readouts per window and its layer reads per batch, shared by the threads', () => {
  const units = { secondsPerBlock: 0.5, secondsPerReadout: 2, secondsPerLayerRead: 3 };
  const cost = { blocks: 10, readouts: 3, layers: 4 };
  assert.equal(walkSeconds(units, cost, 4), 4 * (10 * 0.5 + 3 * 2) + 4 * 3);
  const budget = new TimeBudget(60, units, [4, 4, 1], 2);
  // Two threads share three batches as [4, 4] and [1]: the first share is the wait.
  assert.equal(budget.estimate(cost), 2 * walkSeconds(units, cost, 4));
  assert.ok(budget.left() <= 60 && budget.left() > 59);
  // A head left in the file is read once a pass: 3 readouts of 4 windows of 256 rows are 3,072 rows, two passes of 2,048.
  const grouped = { ...units, tableRead: { seconds: 1.5, rowsPerPass: 2048, rowsPerWindow: 256 } };
  assert.equal(walkSeconds(grouped, cost, 4), 4 * (10 * 0.5 + 3 * 2) + 2 * 1.5 + 4 * 3);
  assert.equal(walkSeconds(grouped, cost, 1), 10 * 0.5 + 3 * 2 + 1 * 1.5 + 4 * 3);
});

test("the editor's analysis budget: a duration, all for every token, anything else one line naming the setting", () => {
  assert.deepEqual(analysisBudget('5m'), { budgetSeconds: 300 });
  assert.deepEqual(analysisBudget(' 2m30s '), { budgetSeconds: 150 });
  assert.deepEqual(analysisBudget('all'), { tokens: 16_384 });
  assert.throws(() => analysisBudget('soon'), /^UserError: the setting depthlab\.analysisBudget "soon": allowed: a duration such as 90s, 5m, 1h or 2m30s, or all$/);
  const pattern = new RegExp(JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../package.json'), 'utf8')).contributes.configuration.properties['depthlab.analysisBudget'].pattern);
  for (const good of ['5m', '90s', '1h', '2m30s', 'all']) assert.ok(pattern.test(good), good);
  assert.ok(!pattern.test('soon'));
});
