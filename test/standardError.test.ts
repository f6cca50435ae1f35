import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { evaluateTogether } from '../src/core/evaluate/evaluate';
import { pairedStandardError, standardError, withinNoise } from '../src/core/evaluate/standardError';
import { depthTable } from '../src/core/report/depthTable';
import { Rng } from '../src/core/random/rng';
import { openModel, validationBatches } from '../src/core/run/openModel';
import { tinyLanguageModel, TINY_MODEL, TINY_TRAIN, useWasm, workspace } from './helpers';

before(useWasm);

test('the standard error of equal batches is their standard deviation over √batches; paired errors cancel what both share', () => {
  const means = [1, 2, 3, 4];
  const sd = Math.sqrt(((1.5 ** 2 + 0.5 ** 2) * 2) / 3);
  assert.ok(Math.abs(standardError(means, [8, 8, 8, 8]) - sd / 2) < 1e-12);
  assert.equal(standardError([2], [8]), 0, 'one batch: no error estimate');
  // Unequal weights: a heavier batch counts more.
  assert.ok(standardError([1, 3], [1, 3]) < standardError([1, 3], [3, 1]) + 1e-12);
  const shifted = means.map((m) => m + 0.1);
  assert.ok(pairedStandardError(shifted, means, [1, 1, 1, 1]) < 1e-12, 'a constant shift is no noise when paired');
  assert.ok(withinNoise(0.01, 0.01) && !withinNoise(0.03, 0.01) && !withinNoise(0.01, undefined));
});

/** A text whose windows differ: words drawn at random, so batch losses vary as real text does. */
function randomText(): string {
  const rng = new Rng(7);
  const words = ['whale', 'sea', 'ship', 'call', 'me', 'ishmael', 'the', 'a', 'of', 'and', 'harpoon', 'captain', 'deck', 'white'];
  return Array.from({ length: 24_000 }, () => words[rng.int(words.length)] + (rng.next() < 0.1 ? '.\n' : ' ')).join('');
}

test('on a fixed model the standard error shrinks as 1/√windows, and a paired difference is far tighter than the errors combined', () => {
  const dir = workspace();
  const loaded = tinyLanguageModel({ model: { ...TINY_MODEL, dropout: 0 }, train: { ...TINY_TRAIN, batchSize: 2, evalBatches: undefined } }, dir);
  fs.writeFileSync(path.join(dir, 'text.txt'), randomText());
  const opened = openModel({ kind: 'scratch', loaded, rng: new Rng(3) });
  try {
    const counts = [40, 80, 160, 320];
    const errors = counts.map((evalBatches) => {
      const batches = validationBatches({ dataset: opened.dataset, config: { ...loaded.config, train: { ...loaded.config.train, evalBatches } } });
      assert.equal(batches.length, evalBatches);
      return evaluateTogether(opened.model, batches, [[0, 1, 2, 3], [0, 2]]);
    });
    // error·√batches stays put as the windows grow 8-fold (the error itself falls ~2.8×).
    const scaled = errors.map(([full], i) => full.stdErr! * Math.sqrt(counts[i]));
    assert.ok(Math.max(...scaled) / Math.min(...scaled) < 1.3, `error·√batches: ${scaled.map((x) => x.toFixed(4)).join(', ')}`);
    assert.ok(errors[0][0].stdErr! / errors[3][0].stdErr! > 2.2, 'the error falls with more windows');
    const [full, pruned] = errors[3];
    assert.ok(pruned.deltaStdErr! > 0 && pruned.deltaStdErr! < 0.5 * Math.hypot(full.stdErr!, pruned.stdErr!), `paired ${pruned.deltaStdErr} vs combined ${Math.hypot(full.stdErr!, pruned.stdErr!)}`);
    assert.equal(full.deltaStdErr, undefined, 'the reference has no difference');
    const table = depthTable('language-model', [{ ...full, depth: 4 }, { ...pruned, depth: 2 }]);
    assert.match(table, new RegExp(`${full.loss.toFixed(4)} ± ${full.stdErr!.toFixed(4)}`));
    assert.match(table, /± one standard error over the validation batches/);
  } finally {
    opened.model.dispose();
  }
});

test('the depth table marks a difference within its paired error as within noise', () => {
  const row = (depth: number, loss: number, deltaStdErr?: number) => ({ depth, layers: [0, 1, 2].slice(0, depth), loss, perplexity: Math.exp(loss), msPerBatch: 1, stdErr: 0.05, deltaStdErr });
  const lines = depthTable('language-model', [row(3, 2), row(2, 2.01, 0.01), row(1, 2.5, 0.02)]).split('\n');
  assert.match(lines[0], /Δ loss/);
  assert.match(lines[3], /\+0\.0100 ± 0\.0100 .*within noise$/);
  assert.doesNotMatch(lines[4], /within noise/);
});
