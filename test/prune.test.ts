import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { everyOther } from '../src/core/prune/everyOther';
import { firstK } from '../src/core/prune/firstK';
import { topByScore } from '../src/core/prune/importanceRanking';
import { searchOnValid } from '../src/core/prune/searchOnValid';
import { recommendedRate } from '../src/core/prune/recommendedRate';
import { fairseqFlags, huggingFaceConfig } from '../src/core/export/interop';

test('every-other keeps the paper\'s alternate layers where they fit exactly', () => {
  assert.deepEqual(everyOther(7, 4), [0, 2, 4, 6]);
  assert.deepEqual(everyOther(5, 3), [0, 2, 4]);
  assert.deepEqual(everyOther(6, 6), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(everyOther(6, 1), [0]);
  assert.deepEqual(everyOther(6, 2), [0, 5]);
});

test('every-other spreads r of N evenly with the first and last layer kept', () => {
  for (let n = 2; n <= 24; n++) {
    for (let r = 2; r <= n; r++) {
      const kept = everyOther(n, r);
      assert.equal(kept.length, r, `N=${n} r=${r}`);
      assert.equal(kept[0], 0);
      assert.equal(kept[r - 1], n - 1);
      const gaps = kept.slice(1).map((layer, i) => layer - kept[i]);
      assert.ok(gaps.every((gap) => gap >= 1), `N=${n} r=${r}: ascending and distinct`);
      assert.ok(Math.max(...gaps) - Math.min(...gaps) <= 1, `N=${n} r=${r}: even spread ${kept}`);
    }
  }
});

test('first-k, top-by-score and p* = 1 - r/N', () => {
  assert.deepEqual(firstK(6, 3), [0, 1, 2]);
  assert.deepEqual(topByScore([0.1, 0.9, 0.5, 0.9], 2), [1, 3]);
  assert.deepEqual(topByScore([3, 1, 2], 2), [0, 2]);
  assert.equal(recommendedRate(12, 6), 0.5);
  assert.equal(recommendedRate(6, 3), 0.5);
});

test('search-on-valid removes the least harmful layer first', () => {
  // Layer 3 is worthless, then 1, then 0: the greedy search must find that order.
  const harm = [0.5, 0.2, 2.0, 0.0];
  const lossOf = (kept: number[]) => [0, 1, 2, 3].filter((l) => !kept.includes(l)).reduce((s, l) => s + harm[l], 1);
  const byDepth = searchOnValid(4, (candidates) => candidates.map(lossOf));
  assert.deepEqual(byDepth[4], [0, 1, 2, 3]);
  assert.deepEqual(byDepth[3], [0, 1, 2]);
  assert.deepEqual(byDepth[2], [0, 2]);
  assert.deepEqual(byDepth[1], [2]);
});

test('fairseq flags and Hugging Face fields name the right side', () => {
  assert.deepEqual(fairseqFlags('language-model', [0, 2, 4]), {
    flag: '--decoder-layers-to-keep 0,2,4',
    modelOverrides: `--model-overrides "{'decoder_layers_to_keep':'0,2,4'}"`,
  });
  assert.equal(fairseqFlags('classification', [1, 3]).flag, '--encoder-layers-to-keep 1,3');
  assert.deepEqual(huggingFaceConfig('language-model', 3, 0.2), { num_hidden_layers: 3, layerdrop: 0.2 });
});
