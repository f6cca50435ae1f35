import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { everyOther } from '../src/core/prune/everyOther';
import { firstK } from '../src/core/prune/firstK';
import { spread } from '../src/core/prune/spread';
import { topByScore } from '../src/core/prune/importanceRanking';
import { searchCost, searchOnValid } from '../src/core/prune/searchOnValid';
import { marginText } from '../src/core/prune/choiceMargin';
import { recommendedRate } from '../src/core/prune/recommendedRate';
import { fairseqFlags, huggingFaceConfig } from '../src/core/export/interop';

test("every-other is the paper's and fairseq's: layers 0,2,4,… at half depth", () => {
  assert.deepEqual(everyOther(16, 8), [0, 2, 4, 6, 8, 10, 12, 14], "fairseq's LayerDrop README: --encoder-layers-to-keep 0,2,4,6,8,10,12,14");
  assert.deepEqual(everyOther(6, 3), [0, 2, 4]);
  assert.deepEqual(everyOther(12, 6), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(everyOther(7, 4), [0, 2, 4, 6], 'odd N: ⌈N/2⌉ layers, the top one included');
  assert.deepEqual(everyOther(12, 4), [0, 3, 6, 9], 'r divides N: every N/r-th layer');
  assert.deepEqual(everyOther(6, 4), [0, 1, 3, 4], 'otherwise floor(i·N/r)');
  assert.deepEqual(everyOther(6, 6), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(everyOther(6, 1), [0]);
});

test('every-other for every N ≤ 24 and r ≤ N follows the fairseq rule; spread keeps both ends', () => {
  for (let n = 1; n <= 24; n++) {
    for (let r = 1; r <= n; r++) {
      const expected =
        r === n
          ? Array.from({ length: n }, (_, l) => l)
          : r === Math.ceil(n / 2)
            ? Array.from({ length: r }, (_, i) => 2 * i)
            : n % r === 0
              ? Array.from({ length: r }, (_, i) => (i * n) / r)
              : Array.from({ length: r }, (_, i) => Math.floor((i * n) / r));
      assert.deepEqual(everyOther(n, r), expected, `N=${n} r=${r}`);
      assert.ok(expected.every((layer, i) => layer < n && (i === 0 || layer > expected[i - 1])), `N=${n} r=${r}: distinct layers of the model`);

      const kept = spread(n, r);
      assert.equal(kept.length, r, `N=${n} r=${r}`);
      assert.equal(kept[0], 0);
      if (r > 1) assert.equal(kept[r - 1], n - 1);
      const gaps = kept.slice(1).map((layer, i) => layer - kept[i]);
      assert.ok(gaps.every((gap) => gap >= 1), `N=${n} r=${r}: ascending and distinct`);
      if (gaps.length) assert.ok(Math.max(...gaps) - Math.min(...gaps) <= 1, `N=${n} r=${r}: even spread ${kept}`);
    }
  }
  assert.deepEqual(spread(6, 3), [0, 3, 5]);
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
  const { byDepth, margins } = searchOnValid(4, (candidates) => ({ losses: candidates.map(lossOf), differenceStdErr: () => 0.05 }));
  assert.deepEqual(byDepth[4], [0, 1, 2, 3]);
  assert.deepEqual(byDepth[3], [0, 1, 2]);
  assert.deepEqual(byDepth[2], [0, 2]);
  assert.deepEqual(byDepth[1], [2]);
  // Each depth knows its round's runner-up: at 3, removing layer 1 instead of 3 cost 0.2 more.
  assert.deepEqual(margins[3]?.runnerUp, [0, 2, 3]);
  assert.ok(Math.abs(margins[3]!.difference - 0.2) < 1e-12);
  assert.equal(margins[4], undefined);
  assert.match(marginText(margins[3]!), /^runner-up 0,2,3: \+0\.2000 ± 0\.0500 nats worse$/);
  assert.match(marginText({ runnerUp: [1], difference: 0.01, stdErr: 0.05 }), /within noise of this choice/);
});

test('a bounded search tries only the weakest layers by the cheap ranking each round, and costs what it tries', () => {
  const harm = [0.5, 0.2, 2.0, 0.0, 0.3, 0.1];
  const lossOf = (kept: number[]) => harm.map((_, l) => l).filter((l) => !kept.includes(l)).reduce((s, l) => s + harm[l], 1);
  const tried: number[][] = [];
  // The ranking misjudges layer 1 (it is the second weakest): a width-2 round never tries it until it is among the two weakest left.
  const score = [0.5, 5, 2.0, 0.0, 0.3, 0.1];
  const bounded = searchOnValid(6, (candidates) => {
    const kept = [...new Set(candidates.flat())];
    tried.push(candidates.map((candidate) => kept.find((l) => !candidate.includes(l))!));
    return { losses: candidates.map(lossOf) };
  }, { width: 2, score });
  assert.deepEqual(tried.slice(0, 3), [[3, 5], [4, 5], [0, 4]]);
  assert.deepEqual(bounded.byDepth[3], [0, 1, 2]);
  const exhaustive = searchOnValid(6, (candidates) => ({ losses: candidates.map(lossOf) }));
  assert.deepEqual(searchOnValid(6, (candidates) => ({ losses: candidates.map(lossOf) }), { width: 6, score }).byDepth, exhaustive.byDepth);
  assert.deepEqual(exhaustive.byDepth[3], [0, 2, 4]);
  // Each round's candidates walk one prefix tree: exhaustive rounds cost (k − 1) + k(k − 1)/2 layers; a bounded one at most width · (k − 1).
  assert.deepEqual(searchCost(6), { blocks: [6, 5, 4, 3, 2].reduce((sum, k) => sum + (k - 1) + (k * (k - 1)) / 2, 0), readouts: 6 + 5 + 4 + 3 + 2, layers: 6 + 5 + 4 + 3 + 2 });
  assert.ok(searchCost(6, { width: 2 }).blocks <= [6, 5, 4, 3, 2].reduce((sum, k) => sum + 2 * (k - 1), 0));
  assert.equal(searchCost(6, { width: 2 }).readouts, 2 * 5);
});

test('fairseq flags and Hugging Face fields name the right side', () => {
  assert.deepEqual(fairseqFlags('language-model', [0, 2, 4]), {
    flag: '--decoder-layers-to-keep 0,2,4',
    modelOverrides: `--model-overrides "{'decoder_layers_to_keep':'0,2,4'}"`,
  });
  assert.equal(fairseqFlags('classification', [1, 3]).flag, '--encoder-layers-to-keep 1,3');
  assert.deepEqual(huggingFaceConfig('language-model', 3, 0.2), { num_hidden_layers: 3, layerdrop: 0.2 });
});
