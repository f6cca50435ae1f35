import { DataParallel } from '../src/core/train/dataParallel';
import { adamWFor } from '../src/core/train/adamW';
import { trainingStep } from '../src/core/train/trainingStep';
import { SharedStep } from '../src/core/train/sharedStep';
import { gradientNorms } from '../src/core/train/gradientNorms';
import { weightsOf } from '../src/core/model/modelWeights';
import { openModel } from '../src/core/run/openModel';
import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '../src/core/backend/tf';
import { loadModelCheckpoint } from '../src/core/checkpoint/modelCheckpoint';
import type { EngineEvent } from '../src/core/events';
import { Transformer } from '../src/core/model/transformer';
import { Rng } from '../src/core/random/rng';
import { readMetrics } from '../src/core/run/metricsLog';
import { readRecord, readRun } from '../src/core/run/runFiles';
import { train } from '../src/core/train/trainer';
import { tinyLanguageModel, TINY_MODEL, TINY_TRAIN, useWasm, workspace } from './helpers';
import { requireCheckpoint, writeCheckpoint } from '../src/core/run/checkpointFiles';

before(useWasm);

async function losses(overrides: Record<string, unknown> = {}) {
  const events: EngineEvent[] = [];
  const outcome = await train({ loaded: tinyLanguageModel(overrides), backend: 'wasm', onEvent: (e) => events.push(e) });
  outcome.opened.model.dispose();
  return { outcome, steps: events.filter((e) => e.type === 'step') };
}

test('the same seed on the same backend gives the same loss curve; another seed does not', async () => {
  const a = await losses();
  const b = await losses();
  const c = await losses({ train: { ...TINY_TRAIN, seed: 2 } });
  assert.deepEqual(a.steps.map((s) => s.loss), b.steps.map((s) => s.loss));
  assert.deepEqual(a.steps.map((s) => s.dropped), b.steps.map((s) => s.dropped));
  assert.notDeepEqual(a.steps.map((s) => s.loss), c.steps.map((s) => s.loss));
});

test('tensor count does not grow over 20 training steps, and returns to baseline after dispose', async () => {
  const baseline = tf.memory().numTensors;
  const counts: number[] = [];
  const outcome = await train({
    loaded: tinyLanguageModel({ layerdrop: { rate: 0 }, train: { ...TINY_TRAIN, steps: 20, evalEvery: 0, checkpointEvery: 0 } }),
    backend: 'wasm',
    onEvent: (e) => e.type === 'step' && counts.push(tf.memory().numTensors),
  });
  outcome.opened.model.dispose();
  assert.equal(counts.length, 20);
  assert.ok(counts.every((n) => n === counts[0]), counts.join(','));
  assert.equal(tf.memory().numTensors, baseline);
});

test('with p = 1 every layer is dropped every step and its weights never change', async () => {
  const loaded = tinyLanguageModel({ layerdrop: { rate: 1 } });
  const outcome = await train({ loaded, backend: 'wasm' });
  outcome.opened.model.dispose();
  const steps = readMetrics(outcome.run.metrics).filter((m) => m.type === 'step');
  assert.ok(steps.every((m) => (m.dropped as number[]).length === 4));
  assert.deepEqual(outcome.record.counters.timesDropped, [8, 8, 8, 8]);
  // Same seed: a fresh model holds the initial weights.
  const shape = { task: 'language-model' as const, vocabSize: outcome.opened.dataset.tokenizer.vocabSize, numClasses: 0, model: loaded.config.model };
  const fresh = new Transformer(shape, new Rng(loaded.config.train.seed));
  const trained = loadModelCheckpoint(requireCheckpoint(outcome.run).model).model;
  try {
    assert.deepEqual(trained.param('layers.2.ffn.fc1.weight').dataSync(), fresh.param('layers.2.ffn.fc1.weight').dataSync());
    assert.notDeepEqual(trained.param('final_ln.bias').dataSync(), fresh.param('final_ln.bias').dataSync());
  } finally {
    trained.dispose();
    fresh.dispose();
  }
});

test('a run resumed from its checkpoint continues exactly as the uninterrupted run', async () => {
  const dir = workspace();
  const full = await losses();
  const controller = new AbortController();
  const loaded = tinyLanguageModel({}, dir);
  const first = await train({
    loaded,
    backend: 'wasm',
    signal: controller.signal,
    onEvent: (e) => e.type === 'step' && e.step === 5 && controller.abort(),
  });
  first.opened.model.dispose();
  assert.equal(first.status, 'cancelled');
  assert.equal(readRecord(first.run).status, 'cancelled');
  assert.equal(readRecord(first.run).step, 5);
  const resumed = await train({ loaded, backend: 'wasm', resume: readRun(first.run) });
  resumed.opened.model.dispose();
  assert.equal(resumed.status, 'completed');
  const logged = readMetrics(first.run.metrics).filter((m) => m.type === 'step');
  assert.deepEqual(logged.map((m) => m.step), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(logged.map((m) => m.loss), full.steps.map((s) => s.loss));
  assert.deepEqual(resumed.record.counters, full.outcome.record.counters);
});

test('data-parallel training on two threads matches one thread up to float rounding (no dropout)', async () => {
  const run = async (threads: number) => {
    const outcome = await train({
      loaded: tinyLanguageModel({ model: { ...TINY_MODEL, dropout: 0 }, train: { ...TINY_TRAIN, steps: 6, batchSize: 4, threads } }),
      backend: 'wasm',
    });
    const weights = new Map([...outcome.opened.model.params].map(([name, value]) => [name, value.dataSync().slice()]));
    outcome.opened.model.dispose();
    return { weights, losses: readMetrics(outcome.run.metrics).filter((e) => e.type === 'step').map((e) => e.loss as number) };
  };
  const one = await run(1);
  const two = await run(2);
  assert.equal(two.losses.length, 6);
  two.losses.forEach((loss, i) => assert.ok(Math.abs(loss - one.losses[i]) < 1e-4, `step ${i + 1}: ${loss} vs ${one.losses[i]}`));
  let largest = 0;
  for (const [name, values] of one.weights) {
    const other = two.weights.get(name)!;
    values.forEach((v, i) => (largest = Math.max(largest, Math.abs(v - other[i]))));
  }
  assert.ok(largest < 1e-4, `largest weight difference ${largest}`);
});

for (const threads of [2, 3]) {
  test(`data-parallel replicas apply the same update (${threads} threads): after steps with dropped layers, from a restarted optimizer, their weights are the main model's bit for bit`, async () => {
    const opened = openModel({ kind: 'scratch', loaded: tinyLanguageModel(), rng: new Rng(3) });
    const { model, dataset } = opened;
    const optimizer = adamWFor(model, 0.01);
    const rng = new Rng(9);
    const batchSize = 2 * threads;
    // Moments and step counts exist before the threads start, as when a run resumes.
    trainingStep(model, optimizer, dataset.trainBatch(rng, batchSize), [0, 2], 0.01, 1, rng);
    const parallel = await DataParallel.start(model, optimizer, 0.01, 'wasm', threads);
    try {
      for (const [i, active] of [[0, 1, 2, 3], [1, 3], [0, 2], [], [0, 1, 2, 3]].entries()) {
        await parallel.step(model, optimizer, dataset.trainBatch(rng, batchSize), active, rng, i, { lr: 0.01, clipNorm: 1 });
      }
      for (const replica of await parallel.replicaWeights()) assert.deepEqual(replica, weightsOf(model));
    } finally {
      await parallel.dispose();
      optimizer.dispose();
      model.dispose();
    }
  });
}

for (const threads of [2, 3]) {
  test(`shared step memory, ${threads} threads: their parts of the average are float32 (g₀ + g₁ + …) / ${threads} bit for bit, and their norms are the average's`, () => {
    const { model } = openModel({ kind: 'scratch', loaded: tinyLanguageModel(), rng: new Rng(1) });
    const rng = new Rng(4);
    // Layer 1 dropped: its parameters have no gradient, and the parts still split inside parameters.
    const names = [...model.params.keys()].filter((name) => !name.startsWith('layers.1.'));
    const gradients = () => new Map(names.map((name) => [name, tf.tensor(Float32Array.from({ length: model.param(name).size }, () => rng.normal()), model.param(name).shape)]));
    const shares = Array.from({ length: threads }, gradients);
    const shared = SharedStep.create(model, threads);
    shares.forEach((share, slot) => shared.write(slot, 2 * slot + 1, share));
    for (let slot = threads - 1; slot >= 0; slot--) shared.averagePart(slot, names);
    const averaged = shared.averaged(names);
    for (const name of names) {
      const expected = tf.tidy(() => shares.map((share) => share.get(name)!).reduce((sum, grad) => sum.add(grad)).div(threads));
      assert.deepEqual(averaged.get(name)!.dataSync(), expected.dataSync(), name);
      expected.dispose();
    }
    assert.equal(shared.meanLoss(), threads);
    const norms = shared.norms(names, model.layers);
    const expected = gradientNorms(averaged, model.layers);
    assert.ok(Math.abs(norms.global - expected.global) < 1e-5 * expected.global, `${norms.global} vs ${expected.global}`);
    assert.ok(Number.isNaN(norms.perLayer[1]));
    norms.perLayer.forEach((norm, layer) => layer !== 1 && assert.ok(Math.abs(norm - expected.perLayer[layer]) < 1e-5 * expected.perLayer[layer], `layer ${layer}`));
    tf.dispose([...shares.flatMap((share) => [...share.values()]), ...averaged.values()]);
    model.dispose();
  });
}

test('a thread that fails to compute its share fails the step with its own message, no replica applies it, and the next step runs', async () => {
  const opened = openModel({ kind: 'scratch', loaded: tinyLanguageModel(), rng: new Rng(3) });
  const { model, dataset } = opened;
  const optimizer = adamWFor(model, 0.01);
  const rng = new Rng(9);
  const parallel = await DataParallel.start(model, optimizer, 0.01, 'wasm', 2);
  const options = { lr: 0.01, clipNorm: 1 };
  // A token id past the vocabulary in one half of the batch: the thread that computes that half fails.
  const poisoned = (half: 0 | 1) => {
    const batch = dataset.trainBatch(rng, 4);
    const inputs = batch.inputs.slice();
    inputs[half * (inputs.length / 2)] = model.shape.vocabSize + 5;
    return { ...batch, inputs };
  };
  try {
    const before = weightsOf(model);
    await assert.rejects(parallel.step(model, optimizer, poisoned(1), [0, 1], rng, 0, options), /training thread failed: .*index value/);
    await assert.rejects(parallel.step(model, optimizer, poisoned(0), [0, 1], rng, 1, options), /index value/);
    assert.deepEqual(weightsOf(model), before);
    const { loss } = await parallel.step(model, optimizer, dataset.trainBatch(rng, 4), [0, 1], rng, 2, options);
    assert.ok(Number.isFinite(loss));
    assert.notDeepEqual(weightsOf(model), before);
    const [replica] = await parallel.replicaWeights();
    assert.deepEqual(replica, weightsOf(model));
  } finally {
    await parallel.dispose();
    optimizer.dispose();
    model.dispose();
  }
});

test('resume after raising train.steps continues to the new count; a finished run or a changed model is refused by name', async () => {
  const dir = workspace();
  const loaded = tinyLanguageModel({}, dir);
  const first = await train({ loaded, backend: 'wasm' });
  first.opened.model.dispose();
  assert.equal(readRecord(first.run).step, 8);
  await assert.rejects(train({ loaded, backend: 'wasm', resume: readRun(first.run) }), /is already at step 8 of 8; to continue it, raise train\.steps in/);

  const longer = tinyLanguageModel({ train: { ...TINY_TRAIN, steps: 12 } }, dir);
  const notices: string[] = [];
  const resumed = await train({ loaded: longer, backend: 'wasm', resume: readRun(first.run), onEvent: (e) => e.type === 'notice' && notices.push(e.text) });
  resumed.opened.model.dispose();
  assert.equal(resumed.status, 'completed');
  assert.match(notices.join('\n'), /to step 12 \(train\.steps was 8\); the learning-rate schedule is recomputed for 12 steps/);
  assert.deepEqual(readMetrics(first.run.metrics).filter((m) => m.type === 'step').map((m) => m.step), Array.from({ length: 12 }, (_, i) => i + 1));
  assert.equal(readRun(first.run).config.train.steps, 12);
  assert.equal(readRecord(first.run).steps, 12);

  const reshaped = tinyLanguageModel({ model: { ...TINY_MODEL, dModel: 32 }, train: { ...TINY_TRAIN, steps: 20 } }, dir);
  await assert.rejects(train({ loaded: reshaped, backend: 'wasm', resume: readRun(first.run) }), /cannot resume run .*: .* changed what its checkpoint depends on: model \(run: .*"dModel":16.*now: .*"dModel":32/);
});

test('a checkpoint is one unit: a write that dies between its two files leaves the previous one current, and leftovers are removed at resume', async () => {
  const dir = workspace();
  const loaded = tinyLanguageModel({ train: { ...TINY_TRAIN, steps: 8, checkpointEvery: 4 } }, dir);
  const controller = new AbortController();
  const first = await train({ loaded, backend: 'wasm', signal: controller.signal, onEvent: (e) => e.type === 'checkpoint' && e.step === 4 && controller.abort() });
  first.opened.model.dispose();
  const before = requireCheckpoint(first.run);
  // A kill after the optimizer state of step 6 was written and before its model was: the step-6 folder is incomplete.
  assert.throws(() =>
    writeCheckpoint(first.run, 6, ({ optimizer }) => {
      fs.writeFileSync(optimizer, 'half');
      throw new Error('killed');
    }),
  );
  fs.writeFileSync(`${before.model}.4242.1.tmp`, 'torn');
  assert.deepEqual(requireCheckpoint(first.run), before, 'the pointer still names step 4');
  const resumed = await train({ loaded, backend: 'wasm', resume: readRun(first.run) });
  resumed.opened.model.dispose();
  assert.equal(resumed.status, 'completed');
  const left = fs.readdirSync(first.run.checkpoints).sort();
  assert.deepEqual(left, ['latest.json', 'step-000008']);
  assert.deepEqual(fs.readdirSync(path.join(first.run.checkpoints, 'step-000008')).sort(), ['model.safetensors', 'optimizer.safetensors']);
});
