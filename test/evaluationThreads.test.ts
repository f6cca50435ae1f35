import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { evaluateTogether } from '../src/core/evaluate/evaluate';
import { contiguousShares, EvaluationThreads, withTransformerThreads } from '../src/core/evaluate/evaluationThreads';
import { weightsOf } from '../src/core/model/modelWeights';
import { Rng } from '../src/core/random/rng';
import { openModel, validationBatches } from '../src/core/run/openModel';
import { angularDistances } from '../src/core/statistics/angularDistance';
import { layerStatistics } from '../src/core/statistics/importance';
import { dropStatistics, emptyCounters } from '../src/core/statistics/dropStatistics';
import { tinyLanguageModel, TINY_MODEL, TINY_TRAIN, useWasm } from './helpers';

before(useWasm);

test('contiguous shares cover every batch once, in order, as equal as they come', () => {
  assert.deepEqual(contiguousShares([1, 2, 3, 4, 5], 2), [[1, 2, 3], [4, 5]]);
  assert.deepEqual(contiguousShares([1, 2, 3, 4, 5, 6, 7], 3), [[1, 2, 3], [4, 5], [6, 7]]);
  assert.deepEqual(contiguousShares([1], 2), [[1], []]);
});

test('evaluation on two threads gives the same numbers, bit for bit, as on one: sweeps, importance, angular distance', async () => {
  const loaded = tinyLanguageModel({ model: { ...TINY_MODEL, dropout: 0 }, train: { ...TINY_TRAIN, evalBatches: 7 } });
  const opened = openModel({ kind: 'scratch', loaded, rng: new Rng(4) });
  try {
    const batches = validationBatches(opened);
    assert.equal(batches.length, 7, 'an odd count: the shares differ in length');
    const subnetworks = [[0, 1, 2, 3], [0, 2], [1, 3], [3]];
    const measure = () => {
      const evaluations = evaluateTogether(opened.model, batches, subnetworks).map(({ msPerBatch: _timing, ...numbers }) => numbers);
      const { fullLoss, layers } = layerStatistics(opened.model, batches, dropStatistics(emptyCounters(4), [0, 0, 0, 0]));
      return { evaluations, fullLoss, layers, angular: angularDistances(opened.model, batches) };
    };
    const one = measure();
    const pool = await EvaluationThreads.attach(opened.model, { kind: 'transformer', shape: opened.model.shape, weights: weightsOf(opened.model) }, 'wasm', 2);
    let two: typeof one;
    try {
      two = measure();
      assert.equal(pool.batchesElsewhere, 3 * 3, 'the other thread took 3 of the 7 batches in each of the three passes');
    } finally {
      await pool.dispose();
    }
    assert.deepEqual(two, one);
    assert.deepEqual(await withTransformerThreads(opened.model, 'wasm', 2, measure), one);
    assert.ok(one.evaluations[1].deltaStdErr! > 0, 'the errors came through too');
  } finally {
    opened.model.dispose();
  }
});
