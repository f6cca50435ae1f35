import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { FIXTURE_FAMILIES, PYTHON, pythonMissing } from './helpers';
import * as tf from '../src/core/backend/tf';
import { selectBackend } from '../src/core/backend/selectBackend';
import { openPretrained } from '../src/core/huggingface/openPretrained';
import { readPretrainedConfig } from '../src/core/huggingface/pretrainedConfig';
import { familyOf } from '../src/core/huggingface/families/families';
import { PretrainedWeights } from '../src/core/huggingface/pretrainedWeights';
import { openWeights } from '../src/core/huggingface/weightFiles';
import { runBatchTask } from '../src/core/evaluate/batchTasks';
import type { LayeredModel } from '../src/core/model/layeredModel';
import type { Batch } from '../src/core/data/batch';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { layerStatistics } from '../src/core/statistics/importance';
import { dropStatistics, emptyCounters } from '../src/core/statistics/dropStatistics';
import { importanceScores } from '../src/core/statistics/importanceScores';
import { spearman } from '../src/core/statistics/rankCorrelation';
import { decidingOrder, estimatesFirst } from '../src/core/analysis/estimatesFirst';
import { measureDepth } from '../src/core/analysis/depthMeasurements';
import { TimeBudget } from '../src/core/analysis/timeBudget';
import { readModelAnalysis, writeModelAnalysis, type ModelAnalysis } from '../src/core/run/modelAnalysisFile';
import { modelAnalysisText } from '../src/core/report/analysisText';
import { modelSnapshot } from '../src/core/report/modelSnapshot';

const FIXTURES = path.join(__dirname, 'fixtures', 'huggingface');
const ids = Int32Array.from([1, 40, 41, 42, 43, 7, 9, 11, 3, 5, 8, 13, 21]);
const batch: Batch = { size: 2, length: 6, inputs: Int32Array.from([...ids.slice(0, 6), ...ids.slice(6, 12)]), targets: Int32Array.from([...ids.slice(1, 7), ...ids.slice(7, 13)]) };

/** The loss when the stream leaving layer `layer` is moved by `step` towards the stream entering it (step 1: the layer removed). */
function lossAlong(model: LayeredModel, layer: number, step: number): number {
  return tf.tidy(() => {
    const options = { training: false };
    const stream = model.embed(batch, options);
    let x = stream.x;
    for (let l = 0; l < model.layers; l++) {
      const output = model.block({ ...stream, x }, l, options);
      x = l === layer ? output.add(x.sub(output).mul(step)) : output;
    }
    return model.readout(x, batch).loss.dataSync()[0];
  });
}

/** Layer l's estimate as TF.js differentiates the whole network after it at once: ∂L/∂x_{l+1} · (x_l − x_{l+1}). */
function wholeGradientEstimates(model: LayeredModel): number[] {
  return tf.tidy(() => {
    const options = { training: false };
    const stream = model.embed(batch, options);
    const streams = [stream.x];
    for (let l = 0; l < model.layers; l++) streams.push(model.block({ ...stream, x: streams[l] }, l, options));
    return Array.from({ length: model.layers }, (_, layer) => {
      const rest = (x: tf.Tensor) => {
        let y = x as tf.Tensor2D;
        for (let l = layer + 1; l < model.layers; l++) y = model.block({ ...stream, x: y }, l, options);
        return model.readout(y, batch).loss;
      };
      return tf.grad(rest)(streams[layer + 1]).mul(streams[layer].sub(streams[layer + 1])).sum().dataSync()[0];
    });
  });
}

test("every decoder family's first-order loss increases equal the gradient through the whole rest of the network and a central difference along each layer's removal, its head read once", async () => {
  await selectBackend('wasm');
  for (const family of FIXTURE_FAMILIES) {
    const folder = path.join(FIXTURES, family);
    const config = readPretrainedConfig(folder);
    const { model } = openPretrained(folder, 'wasm', false);
    const inFile = familyOf(config).open(config, new PretrainedWeights(openWeights(folder), familyOf(config).basePrefix(config), true, 0));
    try {
      if (model.objective !== 'causal-lm') continue;
      const N = model.layers;
      const values = runBatchTask(model, batch, { kind: 'estimates' });
      const estimates = [...values.slice(3, 3 + N)];
      const statistics = runBatchTask(model, batch, { kind: 'layer-statistics' });
      assert.ok(Math.abs(values[2] - statistics[2]) <= 1e-5 * statistics[2], `${family}: full loss ${values[2]} against ${statistics[2]}`);
      [...values.slice(3 + N, 3 + 2 * N)].forEach((cosines, l) => assert.ok(Math.abs(cosines - statistics[2 + N + 1 + l]) <= 1e-4, `${family}: layer ${l}'s cosine sum`));
      const angular = runBatchTask(model, batch, { kind: 'angular' });
      [...values.slice(3 + 2 * N)].forEach((sum, i) => assert.ok(Math.abs(sum - angular[1 + i]) <= 1e-4, `${family}: angular sum ${i}`));
      const scale = Math.max(...estimates.map(Math.abs));
      assert.ok(scale > 1e-4, `${family}: estimates ${estimates}`);
      wholeGradientEstimates(model).forEach((expected, l) => assert.ok(Math.abs(estimates[l] - expected) <= 1e-3 * scale, `${family} layer ${l}: ${estimates[l]} against ${expected}`));
      for (let l = 0; l < N; l++) {
        const step = 1e-2;
        const numeric = (lossAlong(model, l, step) - lossAlong(model, l, -step)) / (2 * step);
        assert.ok(Math.abs(estimates[l] - numeric) <= 0.05 * scale, `${family} layer ${l}: ${estimates[l]} against the central difference ${numeric}`);
      }
      const head = [...inFile.weights.tables.values()].at(-1)!;
      const before = head.blocksRead;
      const fromFile = runBatchTask(inFile, batch, { kind: 'estimates' });
      assert.equal(head.blocksRead - before, head.blockCount, `${family}: the head's blocks read once`);
      fromFile.forEach((value, i) => assert.ok(Math.abs(value - values[i]) <= 1e-4 * Math.max(scale, Math.abs(values[i])), `${family}[${i}], the head in the file: ${value} against ${values[i]}`));
    } finally {
      model.dispose();
      inFile.dispose();
    }
  }
});

test('estimates first: the deciding layers measured exactly while walks fit, the rest marked estimated in the JSON, the table and the report, and the strategies ranking by exact values where they exist', async () => {
  await selectBackend('wasm');
  const { model } = openPretrained(path.join(FIXTURES, 'llama'), 'wasm', false);
  const batches: Batch[] = [0, 1, 2].map((shift) => ({ size: 1, length: 6, inputs: ids.slice(shift, shift + 6), targets: ids.slice(shift + 1, shift + 7) }));
  try {
    const N = model.layers;
    const exact = layerStatistics(model, batches, dropStatistics(emptyCounters(N), new Array(N).fill(0)));
    let walks = 0;
    const run = <T>(_cost: unknown, work: () => T) => work();
    // The budget ends after one walk, of two exact removals.
    const { estimated, statistics, unmeasured } = estimatesFirst(model, batches, 2, run, (cost) => cost.readouts <= 2 && walks++ < 1);
    const order = decidingOrder(estimated.layers.map((l) => l.lossIncreaseEstimate!), 2);
    const measured = order.slice(0, 2);
    assert.deepEqual(unmeasured, order.slice(2).sort((a, b) => a - b));
    assert.ok(Math.abs(estimated.fullLoss - exact.fullLoss) <= 1e-5);
    statistics.forEach((layer, l) => {
      assert.ok(layer.lossIncreaseEstimate !== undefined && layer.lossIncreaseEstimateStdErr !== undefined, `layer ${l} has its estimate`);
      if (measured.includes(l)) {
        assert.ok(Math.abs(layer.lossIncrease! - exact.layers[l].lossIncrease!) <= 1e-5, `layer ${l}: ${layer.lossIncrease} against ${exact.layers[l].lossIncrease}`);
        assert.ok(Math.abs(layer.lossIncreaseStdErr! - exact.layers[l].lossIncreaseStdErr!) <= 1e-5, `layer ${l}'s error`);
      } else assert.equal(layer.lossIncrease, undefined, `layer ${l} was not measured exactly`);
      assert.ok(Math.abs(layer.blockInfluence - exact.layers[l].blockInfluence) <= 1e-5);
    });
    assert.deepEqual(importanceScores(statistics, 'loss-increase'), statistics.map((l) => l.lossIncrease ?? l.lossIncreaseEstimate));

    // The same through measureDepth with all the time it needs: every layer exact, the estimates' ranking scored.
    const budget = new TimeBudget(3600, { secondsPerBlock: 1e-3, secondsPerReadout: 1e-3, secondsPerLayerRead: 0 }, batches.map((b) => b.size), 1);
    const depth = measureDepth(model, batches, { strategy: 'importance', target: 2 }, { budget, estimates: true, strategies: [] });
    depth.statistics.forEach((layer, l) => assert.ok(Math.abs(layer.lossIncrease! - exact.layers[l].lossIncrease!) <= 1e-5, `layer ${l} measured`));
    assert.equal(depth.estimateAgreement?.layers, N);

    // An analysis with both kinds: written and read back, printed, and shown.
    const mixed = { ...depth, statistics, estimateAgreement: undefined };
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-estimates-'));
    fs.copyFileSync(path.join(FIXTURES, 'llama', 'config.json'), path.join(folder, 'config.json'));
    const analysis: ModelAnalysis = { folder, modelType: 'llama', family: 'llama', objective: 'causal-lm', layers: N, layerCountKey: 'num_hidden_layers', parameters: 1, data: { source: 'test', tokens: 18, window: 6 }, fullPerplexity: Math.exp(mixed.fullLoss), ...mixed };
    writeModelAnalysis(folder, analysis);
    const read = readModelAnalysis(folder)!;
    read.statistics.forEach((layer, l) => assert.equal('lossIncrease' in layer, measured.includes(l), `layer ${l} in the JSON`));
    const text = modelAnalysisText({ analysis: read, file: 'analysis.json' });
    const rows = text.split('\n').filter((line) => /^\s+\d+\s/.test(line)).slice(0, N);
    rows.forEach((row, l) => {
      const [, exactCell, estimateCell] = row.trim().split(/\s{2,}/);
      assert.equal(exactCell === '—', !measured.includes(l), `layer ${l}'s exact column: ${row}`);
      assert.ok(estimateCell.startsWith('~'), `layer ${l}'s estimate column: ${row}`);
    });
    assert.match(text, new RegExp(`${unmeasured.length} of ${N} are first-order estimates`));
    assert.match(modelSnapshot(folder)!.precision!, /first-order estimates/);
    fs.rmSync(folder, { recursive: true });
  } finally {
    model.dispose();
  }
});

test("Spearman's rank correlation and the deciding order", () => {
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  assert.ok(Math.abs(spearman([1, 2, 2, 3], [1, 2, 3, 4]) - 0.9486832980505138) < 1e-12);
  // Six layers, keep 3: the three weakest go; the third weakest and the fourth decide it first.
  assert.deepEqual(decidingOrder([0.5, 0.1, 0.3, 0.2, 0.9, 0.4], 3), [2, 5, 3, 0, 1, 4]);
});

test('the estimates equal a float64 gradient × activation that transformers and autograd compute, on every decoder family', { skip: pythonMissing(['torch', 'transformers']) }, async () => {
  await selectBackend('wasm');
  const rows = (ids: Int32Array) => Array.from({ length: batch.size }, (_, r) => [...ids.slice(r * batch.length, (r + 1) * batch.length)].join(',')).join(';');
  for (const family of FIXTURE_FAMILIES) {
    const folder = path.join(FIXTURES, family);
    const { model } = openPretrained(folder, 'wasm', false);
    try {
      if (model.objective !== 'causal-lm') continue;
      const values = runBatchTask(model, batch, { kind: 'estimates' });
      const run = spawnSync(PYTHON, [path.join(__dirname, 'python', 'layerEstimates.py'), folder, rows(batch.inputs), rows(batch.targets)], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const expected = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { loss: number; estimates: number[] };
      assert.ok(Math.abs(values[2] - expected.loss) <= 1e-5 * expected.loss, `${family}: loss ${values[2]} against ${expected.loss}`);
      const scale = Math.max(...expected.estimates.map(Math.abs));
      expected.estimates.forEach((estimate, l) => assert.ok(Math.abs(values[3 + l] - estimate) <= 1e-4 * scale, `${family} layer ${l}: ${values[3 + l]} against float64 ${estimate}`));
    } finally {
      model.dispose();
    }
  }
});
