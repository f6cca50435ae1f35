import { trainingObjective } from '../src/core/train/earlyExit';
import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tf from '../src/core/backend/tf';
import { evaluationLayers, layerDropRates, sampleActiveLayers } from '../src/core/model/layerDrop';
import { depthSweep } from '../src/core/evaluate/depthSweep';
import { evaluateTogether } from '../src/core/evaluate/evaluate';
import { spread } from '../src/core/prune/spread';
import { searchOnValid } from '../src/core/prune/searchOnValid';
import { layerStatistics } from '../src/core/statistics/importance';
import type { Batch } from '../src/core/data/batch';
import { Transformer } from '../src/core/model/transformer';
import { Rng } from '../src/core/random/rng';
import { TINY_MODEL, useWasm } from './helpers';

before(useWasm);

const SHAPE = { task: 'language-model' as const, vocabSize: 12, numClasses: 0, model: { ...TINY_MODEL, attentionDropout: 0, shareLayersEvery: 1 } };

function batch(rng: Rng) {
  const size = 2;
  const length = TINY_MODEL.seqLen;
  const inputs = Int32Array.from({ length: size * length }, () => rng.int(12));
  const targets = Int32Array.from({ length: size * length }, () => rng.int(12));
  return { size, length, inputs, targets };
}

test('schedules: uniform, linear and LayerSkip exp rise to the rate at the last layer', () => {
  assert.deepEqual(layerDropRates({ rate: 0.2, schedule: 'uniform' }, 3), [0.2, 0.2, 0.2]);
  assert.deepEqual(layerDropRates({ rate: 0.4, schedule: 'linear' }, 3), [0, 0.2, 0.4]);
  const exp = layerDropRates({ rate: 0.5, schedule: 'exp' }, 3);
  assert.equal(exp[0], 0);
  assert.ok(Math.abs(exp[1] - 0.5 * (Math.SQRT2 - 1)) < 1e-12);
  assert.ok(Math.abs(exp[2] - 0.5) < 1e-12);
  assert.deepEqual(layerDropRates({ rate: 0.5, schedule: 'uniform', perLayer: [0, 1, 0.3] }, 3), [0, 1, 0.3]);
});

test('p = 1 skips every layer and p = 0 none', () => {
  const rng = new Rng(3);
  for (let i = 0; i < 100; i++) {
    assert.deepEqual(sampleActiveLayers([1, 1, 1, 1], rng), []);
    assert.deepEqual(sampleActiveLayers([0, 0, 0], rng), [0, 1, 2]);
  }
});

test('empirical drop rates match the configured rates over many draws', () => {
  const rates = [0.1, 0.3, 0.5, 0.9];
  const draws = 20000;
  const dropped = [0, 0, 0, 0];
  const rng = new Rng(11);
  for (let i = 0; i < draws; i++) {
    const active = new Set(sampleActiveLayers(rates, rng));
    rates.forEach((_, l) => !active.has(l) && dropped[l]++);
  }
  // 4.5 standard deviations of a binomial proportion: a wrong rate fails, noise does not.
  rates.forEach((p, l) => assert.ok(Math.abs(dropped[l] / draws - p) < 4.5 * Math.sqrt((p * (1 - p)) / draws), `layer ${l}: ${dropped[l] / draws} vs ${p}`));
});

test('evaluation runs every layer unless layersToKeep says otherwise', () => {
  assert.deepEqual(evaluationLayers(4), [0, 1, 2, 3]);
  assert.deepEqual(evaluationLayers(4, [3, 0]), [0, 3]);
});

test("a dropped layer's forward is never invoked, and the stream passes through it untouched", () => {
  withModel(5, (model, rng) => {
  for (let i = 0; i < 10; i++) {
    const active = sampleActiveLayers([0.5, 0.5, 0.5, 0.5], rng);
    const seen: Array<{ layer: number; input: Float32Array; output: Float32Array }> = [];
    // Observe every layer forward runs (the real block still computes).
    const block = Transformer.prototype.block.bind(model);
    model.block = (stream, layer, options) => {
      const output = block(stream, layer, options);
      seen.push({ layer, input: stream.x.dataSync() as Float32Array, output: output.dataSync() as Float32Array });
      return output;
    };
    tf.tidy(() => {
      trainingObjective(model, batch(rng), active, rng);
    });
    assert.deepEqual(seen.map((s) => s.layer), active);
    // Each computed layer's input is the previous computed layer's output: nothing ran in between.
    for (let j = 1; j < seen.length; j++) assert.deepEqual(seen[j].input, seen[j - 1].output);
  }
  });
});

test('evaluation is deterministic (no dropout) and differs when a layer is removed', () => {
  withModel(9, (model, rng) => {
  const b = batch(rng);
  const loss = (layers: number[]) => lossThrough(model, b, layers);
  assert.equal(loss([0, 1, 2, 3]), loss([0, 1, 2, 3]));
  assert.notEqual(loss([0, 1, 2, 3]), loss([0, 2, 3]));
  });
});

test('importance pass: the same loss increases and Block Influence as evaluating from scratch, in N + N(N−1)/2 layer evaluations', () => {
  withModel(11, (model, rng) => {
  const batches = [batch(rng), batch(rng)];
  const N = model.layers;
  const all = Array.from({ length: N }, (_, l) => l);
  const drops = all.map((layer) => ({ layer, configuredRate: 0.5, empiricalRate: 0.5, timesDropped: 0, meanGradNorm: 0 }));
  const counter = countLayerEvaluations(model);
  const { fullLoss, layers } = layerStatistics(model, batches, drops);
  assert.equal(counter.count, batches.length * (N + (N * (N - 1)) / 2));

  const full = lossFromScratch(model, batches, all);
  assert.ok(Math.abs(fullLoss - full) < 1e-5);
  for (const l of all) {
    const removed = lossFromScratch(model, batches, all.filter((m) => m !== l));
    assert.ok(Math.abs(layers[l].lossIncrease! - (removed - full)) < 1e-5, `layer ${l}`);
  }
  // Block Influence straight from its definition, layer by layer.
  const cosines = all.map(() => 0);
  let tokens = 0;
  for (const b of batches) {
    tf.tidy(() => {
      const stream = model.embed(b, { training: false });
      for (const l of all) {
        const output = counter.block(stream, l, { training: false });
        const dot = stream.x.mul(output).sum(-1);
        const cos = dot.div(stream.x.norm('euclidean', -1).mul(output.norm('euclidean', -1)));
        cosines[l] += cos.sum().dataSync()[0];
        stream.x = output;
      }
    });
    tokens += b.size * b.length;
  }
  all.forEach((l) => assert.ok(Math.abs(layers[l].blockInfluence - (1 - cosines[l] / tokens)) < 1e-4, `BI layer ${l}`));
  });
});

test('a depth sweep computes shared prefixes once: spread over 4 layers in 7 layer evaluations per batch, not 10, with the same losses', () => {
  withModel(12, (model, rng) => {
  const batches = [batch(rng), batch(rng)];
  const counter = countLayerEvaluations(model);
  const rows = depthSweep(model, batches, (target) => spread(model.layers, target));
  // [0,1,2,3], [0,2,3], [0,3], [0]: layer 0 once, then 1→2→3, 2→3 and 3.
  assert.deepEqual(rows.map((r) => r.layers), [[0, 1, 2, 3], [0, 2, 3], [0, 3], [0]]);
  assert.equal(counter.count, batches.length * 7);
  for (const row of rows) {
    assert.ok(Math.abs(row.loss - lossFromScratch(model, batches, row.layers)) < 1e-5, `depth ${row.depth}`);
    assert.ok(row.msPerBatch > 0);
  }
  });
});

/** One batch's loss through exactly `layers`, embed to readout, at evaluation. */
function lossThrough(model: Transformer, b: Batch, layers: number[]): number {
  return tf.tidy(() => {
    const stream = model.embed(b, { training: false });
    for (const layer of layers) stream.x = model.block(stream, layer, { training: false });
    return model.readout(stream.x, b).loss.dataSync()[0];
  });
}

/** Mean loss over equal-sized batches, each through the layers on its own. */
function lossFromScratch(model: Transformer, batches: Batch[], layers: number[]): number {
  const losses = batches.map((b) => lossThrough(model, b, layers));
  return losses.reduce((a, b) => a + b, 0) / losses.length;
}

/** Counts the layers a real model runs (each call still computes); `block` runs one uncounted. */
function countLayerEvaluations(model: Transformer) {
  const block = Transformer.prototype.block.bind(model);
  const counter = { count: 0, block };
  model.block = (stream, layer, options) => {
    counter.count++;
    return block(stream, layer, options);
  };
  return counter;
}

/** A fresh tiny model from a seeded generator, disposed after `use`. */
function withModel(seed: number, use: (model: Transformer, rng: Rng) => void): void {
  const rng = new Rng(seed);
  const model = new Transformer(SHAPE, rng);
  try {
    use(model, rng);
  } finally {
    model.dispose();
  }
}

test('search on validation data evaluates each round\'s candidates together: the same layers as evaluating them one by one, in fewer layer evaluations', () => {
  withModel(13, (model, rng) => {
  const batches = [batch(rng), batch(rng)];
  const counter = countLayerEvaluations(model);
  const together = searchOnValid(model.layers, (candidates) => ({ losses: evaluateTogether(model, batches, candidates).map((evaluation) => evaluation.loss) })).byDepth;
  const sharedCount = counter.count;
  const oneByOne = searchOnValid(model.layers, (candidates) => ({ losses: candidates.map((kept) => lossFromScratch(model, batches, kept)) })).byDepth;
  assert.deepEqual(together, oneByOne);
  // Rounds over 4, 3 and 2 kept layers: one by one 4·3 + 3·2 + 2·1 = 20 layer evaluations per batch;
  // together 9 + 5 + 2 = 16 (round one: [1,2,3] alone, then [0,2,3], [0,1,3], [0,1,2] share 0 and 0,1).
  assert.equal(sharedCount, batches.length * 16);
  });
});
