import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readMetrics } from '../src/core/run/metricsLog';
import { readRecord, readRun } from '../src/core/run/runFiles';
import { analyzeJob } from '../src/core/jobs/analyzeJob';
import { Rng } from '../src/core/random/rng';
import { train } from '../src/core/train/trainer';
import { cappedSoftmaxRates, LearnedDropRates, MAX_LEARNED_RATE } from '../src/core/train/learnedDropRates';
import { tinyLanguageModel, TINY_TRAIN, useWasm, workspace } from './helpers';

before(useWasm);

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

test('learned rates average exactly to the target and none exceeds the cap, whatever the scores', () => {
  const rng = new Rng(3);
  for (let layers = 1; layers <= 24; layers++) {
    for (const target of [0, 0.1, 0.2, 0.5, 0.8]) {
      for (const spread of [0.1, 1, 10]) {
        const scores = Array.from({ length: layers }, () => rng.normal() * spread);
        const { rates } = cappedSoftmaxRates(scores, target);
        assert.ok(Math.abs(mean(rates) - target) < 1e-12, `N ${layers}, p ${target}: mean ${mean(rates)}`);
        assert.ok(rates.every((r) => r >= 0 && r <= MAX_LEARNED_RATE + 1e-12), rates.join(','));
      }
    }
  }
  // One dominant score: that layer is held at the cap and the rest share what is left.
  const { rates, capped } = cappedSoftmaxRates([20, 0, 0, 0], 0.5);
  assert.deepEqual(capped, [true, false, false, false]);
  assert.equal(rates[0], MAX_LEARNED_RATE);
  for (const rate of rates.slice(1)) assert.ok(Math.abs(rate - (2 - MAX_LEARNED_RATE) / 3) < 1e-12);
});

test('REINFORCE lowers the rate of the layers whose absence costs the most, keeping the mean at p', () => {
  const rng = new Rng(11);
  const layers = 4;
  const cost = [1, 0.02, 0.02, 0.5];
  const scorer = new LearnedDropRates(layers, 8, 0.5, rng);
  scorer.observe(Array.from({ length: layers }, () => Array.from({ length: 8 }, () => rng.normal())));
  assert.deepEqual(scorer.rates(), [0.5, 0.5, 0.5, 0.5], 'starts uniform');
  for (let step = 0; step < 600; step++) {
    const dropped = scorer.rates().map((p) => rng.next() < p);
    const loss = 2 + dropped.reduce((sum, isDropped, d) => sum + (isDropped ? cost[d] : 0), 0) + 0.1 * rng.normal();
    scorer.update(dropped, loss);
  }
  const rates = scorer.rates();
  assert.ok(Math.abs(mean(rates) - 0.5) < 1e-12);
  assert.ok(rates[0] < rates[3] && rates[3] < Math.min(rates[1], rates[2]), `rates ${rates.map((r) => r.toFixed(3)).join(',')}`);
});

test('a run with learned rates records them, ranks layers by them, and resumes exactly', async () => {
  const dir = workspace();
  const config = { layerdrop: { rate: 0.5, schedule: 'learned' }, train: { ...TINY_TRAIN, steps: 24, evalEvery: 0, checkpointEvery: 12 }, prune: { targetLayers: 2 } };
  const full = await train({ loaded: tinyLanguageModel(config), backend: 'wasm' });
  full.opened.model.dispose();

  const loaded = tinyLanguageModel(config, dir);
  const controller = new AbortController();
  const first = await train({ loaded, backend: 'wasm', signal: controller.signal, onEvent: (e) => e.type === 'step' && e.step === 15 && controller.abort() });
  first.opened.model.dispose();
  assert.equal(readRecord(first.run).step, 15);
  const resumed = await train({ loaded, backend: 'wasm', resume: readRun(first.run) });
  resumed.opened.model.dispose();
  const steps = (run: typeof full.run) => readMetrics(run.metrics).filter((m) => m.type === 'step');
  assert.deepEqual(steps(first.run).map((m) => m.dropped), steps(full.run).map((m) => m.dropped));
  assert.deepEqual(resumed.record.learned, full.record.learned);
  assert.ok(full.record.learned!.updates > 0 && full.record.learned!.inputs, 'the scorer learned from the run');

  const learned = readRun(first.run).statistics!.layers.map((l) => l.learnedRate!);
  assert.equal(learned.length, 4);
  assert.ok(Math.abs(mean(learned) - 0.5) < 1e-9, `valid-mean rates ${learned.join(',')} average to p`);

  const { analysis } = await analyzeJob({ configFile: loaded.file, runId: first.run.id, strategy: 'importance', metric: 'learned-rate' }, { backend: 'wasm' });
  const lowest = analysis.statistics
    .map((l) => l)
    .sort((a, b) => a.learnedRate! - b.learnedRate!)
    .slice(0, 2)
    .map((l) => l.layer)
    .sort((a, b) => a - b);
  assert.deepEqual(analysis.keep, lowest);
});

test('learned-rate on a run without learned rates says what to do', async () => {
  const loaded = tinyLanguageModel({ train: { ...TINY_TRAIN, steps: 4 } });
  const outcome = await train({ loaded, backend: 'wasm' });
  outcome.opened.model.dispose();
  await assert.rejects(analyzeJob({ configFile: loaded.file, strategy: 'importance', metric: 'learned-rate' }, { backend: 'wasm' }), /needs a run trained with layerdrop\.schedule "learned"/);
});
