import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../src/core/errors';
import { batchesThatFit, choosePlan, TimeBudget, walkSeconds, type BudgetPlan } from '../src/core/analysis/timeBudget';
import { affineUnits, proportionalUnits } from '../src/core/analysis/unitCosts';
import { decisionInterval, otherLengths, type WindowCuts } from '../src/core/analysis/windowChoice';
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

/** `positions` of a causal LM cut as windowChoice.ts asks: `size` windows of `length` a batch, the first windows first. */
const cutsAt = (length: number, others: number[], positions = 16_384): WindowCuts => ({
  length,
  others,
  cut: (window, size) =>
    Array.from({ length: Math.floor(positions / (window * size)) }, (_, b) => {
      const inputs = Int32Array.from({ length: window * size }, (_, i) => b * window * size + i);
      return { size, length: window, inputs, targets: inputs.map((id) => id + 1) };
    }),
});

const plan = (name: string, blocks: number, fallback = false): BudgetPlan => ({ name, cost: { blocks, readouts: 1, layers: 16 }, what: '', ...(fallback && { fallback }) });

test("the decision's interval is Student's t over √tokens: few batches pay for their missing degrees of freedom", () => {
  assert.equal(decisionInterval(1, 1024), Infinity);
  assert.ok(Math.abs(decisionInterval(2, 512) - 12.7062 / Math.sqrt(512)) < 1e-4);
  assert.ok(Math.abs(decisionInterval(4, 512) - 3.1824 / Math.sqrt(512)) < 1e-4);
  // Four windows of 128 give a narrower interval than two of 256 on the same tokens.
  assert.ok(decisionInterval(4, 512) < decisionInterval(2, 512) / 3);
  assert.deepEqual(otherLengths(256, 1022), [192, 384, 128, 512]);
  assert.deepEqual(otherLengths(256, 300), [192, 128]);
});

test('a budget for a few windows of a compute-bound model takes shorter windows, one a batch, for batches its interval can come from', () => {
  // A window of 256 costs 208 s (16 layer reads of 0.5 s in it): one fits each thread's 300 s; two of 128, 108 s each.
  const units = { secondsPerBlock: 1, secondsPerReadout: 0, secondsPerLayerRead: 0.5 };
  const { chosen } = choosePlan(cutsAt(256, otherLengths(256, 1022)), proportionalUnits(units, 256), [plan('everything', 200)], 2, 300);
  assert.deepEqual([chosen!.batches.length, chosen!.batches[0].size, chosen!.batches[0].length], [4, 1, 128]);
  assert.equal(chosen!.units.secondsPerBlock, 0.5);
  // The same with --window 256: the length stays, the count is what fits.
  const fixed = choosePlan(cutsAt(256, []), proportionalUnits(units, 256), [plan('everything', 200)], 2, 300).chosen!;
  assert.deepEqual([fixed.batches.length, fixed.batches[0].size, fixed.batches[0].length], [2, 1, 256]);
  assert.ok(fixed.interval > 2 * chosen!.interval);
});

test('windows timed at two lengths give each cost a fixed part and a part per position; a shorter window that only looked cheaper is given up for a longer one', () => {
  // A layer 1 s at 256 and 0.75 s at 128: 0.5 s fixed, 1/512 s a position.
  const at = (secondsPerBlock: number) => ({ secondsPerBlock, secondsPerReadout: 0, secondsPerLayerRead: 0.5 });
  const affine = affineUnits({ length: 256, units: at(1) }, { length: 128, units: at(0.75) });
  assert.deepEqual([affine(512).secondsPerBlock, affine(192).secondsPerBlock, affine(512).secondsPerLayerRead], [1.5, 0.875, 0.5]);
  // Timings that disagree on which is dearer say nothing of a slope: the nearer one, in proportion.
  const noisy = affineUnits({ length: 256, units: at(1) }, { length: 128, units: at(1.1) });
  assert.deepEqual([noisy(512).secondsPerBlock, noisy(160).secondsPerBlock], [2, 1.1 * 160 / 128]);
  // Dearer per position as the window grows (no fixed part fits): in proportion, never a line crossing zero at 64.
  const steep = affineUnits({ length: 256, units: at(1) }, { length: 128, units: at(0.25) });
  assert.deepEqual([steep(512).secondsPerBlock, steep(160).secondsPerBlock], [2, 0.25 * 160 / 128]);
  // In proportion, 4 windows of 128 fit 300 s on two threads; with the fixed part only 2 do, and a window of 384 (258 s) gives those 2 batches the most tokens.
  const cuts = cutsAt(256, otherLengths(256, 1022));
  assert.equal(choosePlan(cuts, proportionalUnits(at(1), 256), [plan('everything', 200)], 2, 300).chosen!.batches[0].length, 128);
  const chosen = choosePlan(cuts, affine, [plan('everything', 200)], 2, 300).chosen!;
  assert.deepEqual([chosen.batches.length, chosen.batches[0].length], [2, 384]);
});

test('a text too short for the longer windows leaves them out of the choice', () => {
  const units = { secondsPerBlock: 1, secondsPerReadout: 0, secondsPerLayerRead: 0 };
  // 300 positions: one window of 256, 192 or 128 (two of 128), none of 384 or 512.
  const { chosen } = choosePlan(cutsAt(256, otherLengths(256, 1022), 300), proportionalUnits(units, 256), [plan('everything', 10)], 2, 1e6);
  assert.deepEqual([chosen!.batches.length, chosen!.batches[0].length], [2, 128]);
});

test('a budget for a model that reads more than it computes packs four windows a batch, never more positions than four of the asked length', () => {
  const units = { secondsPerBlock: 0.01, secondsPerReadout: 0, secondsPerLayerRead: 5 };
  const { chosen } = choosePlan(cutsAt(256, otherLengths(256, 1022)), proportionalUnits(units, 256), [plan('everything', 100)], 2, 400);
  assert.ok(chosen!.batches.every((batch) => batch.size * batch.length <= 1024));
  assert.equal(chosen!.batches[0].size * chosen!.batches[0].length, 1024);
  assert.equal(chosen!.batches.length, 8);
});

test('the fullest plan is kept unless a leaner one narrows the interval by more than half; a fallback only where nothing else fits', () => {
  const units = { secondsPerBlock: 1, secondsPerReadout: 0, secondsPerLayerRead: 0 };
  const cuts = cutsAt(256, []);
  const plans = [plan('everything', 400), plan('essential', 100), plan('estimates', 10, true)];
  // At 2,000 s on two threads: everything fits 4 windows of 256 (4.5× the essential plan's interval of 16 × 4 windows), essential 64.
  const tight = choosePlan(cuts, proportionalUnits(units, 256), plans, 2, 2000);
  assert.deepEqual(tight.fitting.map((fit) => fit.plan.name), ['everything', 'essential', 'estimates']);
  assert.equal(tight.chosen!.plan.name, 'essential');
  // With every window fitting both, the fuller plan stays.
  assert.equal(choosePlan(cuts, proportionalUnits(units, 256), plans, 2, 1e6).chosen!.plan.name, 'everything');
  // The fallback's interval is a third of the essential plan's at 400 s; it still waits until nothing else fits.
  assert.equal(choosePlan(cuts, proportionalUnits(units, 256), plans, 2, 400).chosen!.plan.name, 'essential');
  // Fallbacks stand in order: the first that fits, though the second's estimates fit 18 windows against its 4.
  const fallbacks = [plan('everything', 400), plan('estimates, two passes reserved', 40, true), plan('estimates, one', 10, true)];
  assert.equal(choosePlan(cuts, proportionalUnits(units, 256), fallbacks, 2, 90).chosen!.plan.name, 'estimates, two passes reserved');
  // Where only the fallback fits two windows it is taken, whatever its interval.
  assert.equal(choosePlan(cuts, proportionalUnits(units, 256), plans, 2, 90).chosen!.plan.name, 'estimates');
  assert.equal(choosePlan(cuts, proportionalUnits(units, 256), plans, 2, 1).chosen, undefined);
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
