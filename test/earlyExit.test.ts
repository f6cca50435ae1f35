import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tf from '../src/core/backend/tf';
import { evaluate } from '../src/core/evaluate/evaluate';
import { Rng } from '../src/core/random/rng';
import { openModel, validationBatches } from '../src/core/run/openModel';
import { earlyExitWeights, trainingObjective } from '../src/core/train/earlyExit';
import { train } from '../src/core/train/trainer';
import { tinyLanguageModel, TINY_MODEL, TINY_TRAIN, useWasm } from './helpers';

before(useWasm);

const exitConfig = (scale: number, curriculum: 'none' | 'rotational' | 'gradual' = 'none') => ({ scale, curriculum, rotation: 2 });

test("early-exit weights follow LayerSkip's scale·Σi, end with the model's own output, and sum to 1", () => {
  assert.equal(earlyExitWeights(exitConfig(0), [0, 1, 2, 3], 4, 1, 100), undefined, 'scale 0 is off');
  const all = earlyExitWeights(exitConfig(1), [0, 1, 2, 3], 4, 1, 100)!;
  // ẽ = [0, 1, 3] for the exits after layers 0..2, then N − 1 = 3 for the output: total 7.
  assert.deepEqual(all.map((w) => w * 7), [0, 1, 3, 3]);
  const dropped = earlyExitWeights(exitConfig(1), [0, 2], 4, 1, 100)!;
  assert.deepEqual(dropped.map((w) => w * 6), [0, 6], 'only active layers have exits; the output weighs N − 1');
  const rotational = (step: number) => earlyExitWeights(exitConfig(1, 'rotational'), [0, 1, 2, 3, 4, 5], 6, step, 100)!.map((w) => w > 0);
  assert.deepEqual(rotational(1), [false, true, false, true, false, true]);
  assert.deepEqual(rotational(2), [false, false, true, false, true, true]);
  const gradual = (step: number) => earlyExitWeights(exitConfig(1, 'gradual'), [0, 1, 2, 3, 4, 5], 6, step, 100)!.map((w) => w > 0);
  assert.deepEqual(gradual(1), [false, false, false, false, false, true], 'first only the output');
  assert.deepEqual(gradual(20), [false, false, false, true, true, true]);
  assert.deepEqual(gradual(50), [false, true, true, true, true, true], 'all on by half of training');
  for (const weights of [all, dropped]) assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-12);
});

test('the early-exit objective is the weighted sum of the first-k losses (no dropout)', () => {
  const opened = openModel({ kind: 'scratch', loaded: tinyLanguageModel({ model: { ...TINY_MODEL, dropout: 0 } }), rng: new Rng(5) });
  try {
    const batches = validationBatches(opened).slice(0, 1);
    const weights = [0.1, 0.2, 0.3, 0.4];
    const { objective, loss } = trainingObjective(opened.model, batches[0], [0, 1, 2, 3], new Rng(1), weights);
    const firstK = [1, 2, 3, 4].map((k) => evaluate(opened.model, batches, [0, 1, 2, 3].slice(0, k)).loss);
    assert.ok(Math.abs(objective.dataSync()[0] - firstK.reduce((sum, l, i) => sum + weights[i] * l, 0)) < 1e-5);
    assert.ok(Math.abs(loss.dataSync()[0] - firstK[3]) < 1e-5, 'the reported loss is the output layer’s');
    tf.dispose([objective, loss]);
  } finally {
    opened.model.dispose();
  }
});

test('training with the early-exit loss makes exiting after layer 1 much better on a fixed seed', async () => {
  const exitLoss = async (scale: number) => {
    const outcome = await train({
      // A separate head: at this tiny width a tied one trains too slowly in 200 steps for depth to show.
      loaded: tinyLanguageModel({ model: { ...TINY_MODEL, tiedHead: false }, layerdrop: { rate: 0 }, train: { ...TINY_TRAIN, steps: 200, evalEvery: 0, checkpointEvery: 0, earlyExit: exitConfig(scale) } }),
      backend: 'wasm',
    });
    try {
      const batches = validationBatches(outcome.opened);
      return { exit: evaluate(outcome.opened.model, batches, [0, 1]).loss, full: evaluate(outcome.opened.model, batches, [0, 1, 2, 3]).loss };
    } finally {
      outcome.opened.model.dispose();
    }
  };
  const plain = await exitLoss(0);
  const trained = await exitLoss(1);
  assert.ok(trained.exit < plain.exit - 0.1, `exit after layer 1: ${trained.exit} with the early-exit loss, ${plain.exit} without`);
  assert.ok(trained.full < plain.full + 0.1, `the full model stays usable: ${trained.full} vs ${plain.full}`);
});
