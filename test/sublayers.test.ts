import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { modelSize, stepsSize } from '../src/core/evaluate/cutCost';
import { evaluateBatches } from '../src/core/evaluate/evaluate';
import { EvaluationThreads } from '../src/core/evaluate/evaluationThreads';
import { openPretrained } from '../src/core/huggingface/openPretrained';
import type { Batch } from '../src/core/data/batch';
import { weightsOf } from '../src/core/model/modelWeights';
import { stepsWithout, wholeLayer, withoutPart } from '../src/core/model/layerParts';
import { sublayerSearch } from '../src/core/prune/sublayerSearch';
import { Rng } from '../src/core/random/rng';
import { openModel, validationBatches } from '../src/core/run/openModel';
import { partIncreases } from '../src/core/statistics/partImportance';
import { loadModelCheckpoint } from '../src/core/checkpoint/modelCheckpoint';
import { readRun } from '../src/core/run/runFiles';
import { findRun } from '../src/core/run/runStore';
import { configProblems } from '../src/core/config/configProblems';
import { tinyLanguageModel, TINY_MODEL, TINY_TRAIN, useWasm } from './helpers';

before(useWasm);

const FIXTURES = path.join(import.meta.dirname, 'fixtures/huggingface');
const WITH_PARTS = fs.readdirSync(FIXTURES).filter((name) => fs.existsSync(path.join(FIXTURES, name, 'reference-parts.json')));

test('every pre-LN decoder fixture has reference losses without one block', () => {
  assert.deepEqual(WITH_PARTS, ['gemma2', 'gemma3_text', 'gpt2', 'gpt_neox', 'llama', 'mistral', 'mistral_sliding', 'olmo2', 'opt', 'phi3', 'phi3_longrope', 'qwen2', 'qwen3']);
});

for (const family of WITH_PARTS) {
  test(`${family}: the loss without each layer's attention, and without its MLP, matches transformers with that module's output zeroed, to 1e-4`, () => {
    const folder = path.join(FIXTURES, family);
    const expected = JSON.parse(fs.readFileSync(path.join(folder, 'reference-parts.json'), 'utf8')) as Record<string, number>;
    const { ids } = JSON.parse(fs.readFileSync(path.join(folder, 'reference.json'), 'utf8')) as { ids: number[] };
    const { model } = openPretrained(folder, 'wasm');
    try {
      const T = ids.length - 1;
      const batch: Batch = { size: 1, length: T, inputs: Int32Array.from(ids.slice(0, T)), targets: Int32Array.from(ids.slice(1)) };
      const cases = Object.keys(expected).map((key) => {
        const [part, layer] = key.split(' ') as ['attention' | 'mlp', string];
        return { key, steps: stepsWithout(model.layers, [{ layer: Number(layer), part }]) };
      });
      const losses = evaluateBatches(model, [batch], cases.map((c) => c.steps), true).evaluations.map((e) => e.loss);
      cases.forEach(({ key }, i) => assert.ok(Math.abs(losses[i] - expected[key]) < 1e-4, `${key}: ${losses[i]} vs transformers ${expected[key]}`));
    } finally {
      model.dispose();
    }
  });
}

test('post-LN models refuse attention-or-MLP removal in one line saying why', () => {
  const cli = path.join(import.meta.dirname, '../dist/cli.js');
  const result = spawnSync(process.execPath, [cli, 'analyze', path.join(FIXTURES, 'bert'), '--tokens', '256', '--sublayers'], { encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /attention and MLP cannot be measured apart in this model: its layers normalise after each residual sum \(post-LN\)/);
  assert.equal(result.stderr.trim().split('\n').length, 1);
});

test('parts and the search on a DepthLab model: paired increases, one thread or two the same, parameters as the blocks hold them, each round the cheapest removal', async () => {
  const loaded = tinyLanguageModel({ model: { ...TINY_MODEL, dropout: 0 }, train: { ...TINY_TRAIN, evalBatches: 5 } });
  const opened = openModel({ kind: 'scratch', loaded, rng: new Rng(7) });
  try {
    const { model } = opened;
    const batches = validationBatches(opened);
    const parts = partIncreases(model, batches);
    const full = Array.from({ length: 4 }, (_, l) => wholeLayer(l));
    const direct = evaluateBatches(model, batches, [full, stepsWithout(4, [{ layer: 2, part: 'mlp' }])], true).evaluations;
    assert.equal(parts[2].mlp, direct[1].loss - direct[0].loss);
    assert.ok(parts.every((p) => p.attentionStdErr > 0 && p.mlpStdErr > 0));

    const pool = await EvaluationThreads.attach(model, { kind: 'transformer', shape: model.shape, weights: weightsOf(model) }, 'wasm', 2);
    try {
      assert.deepEqual(partIncreases(model, batches), parts);
    } finally {
      await pool.dispose();
    }

    const d = TINY_MODEL.dModel;
    const size = modelSize(model);
    assert.equal(size.perPart.attention.parameters[1], 4 * d * d + 4 * d, 'qkv and out, with biases');
    assert.equal(size.perPart.mlp.parameters[1], 2 * d * TINY_MODEL.ffn + TINY_MODEL.ffn + d, 'fc1 and fc2, with biases');
    assert.equal(stepsSize(size, [wholeLayer(0), withoutPart(1, 'attention')]).parameters, size.outside + size.perLayer[0] + size.perLayer[1] - size.perPart.attention.parameters[1]);

    const search = sublayerSearch(model, batches, parts);
    assert.equal(search.length, 9, 'the full model, then one row per block removed');
    assert.deepEqual(search.at(-1)!.removed.length, 8);
    assert.equal(search.at(-1)!.parameters, size.outside, 'nothing but the embedding and head is left');
    const cheapest = parts.flatMap((p) => [{ layer: p.layer, part: 'attention' as const, increase: p.attention }, { layer: p.layer, part: 'mlp' as const, increase: p.mlp }]).sort((a, b) => a.increase - b.increase)[0];
    assert.deepEqual(search[1].removed, [{ layer: cheapest.layer, part: cheapest.part }], 'the first round removes the block cheapest alone');
    assert.ok(Math.abs(search[1].loss - (search[0].loss + cheapest.increase)) < 1e-9);
    for (let k = 1; k < search.length; k++) assert.ok(search[k].parameters < search[k - 1].parameters);
    assert.deepEqual(stepsWithout(4, [{ layer: 1, part: 'mlp' }, { layer: 1, part: 'attention' }, { layer: 3, part: 'attention' }]), [0, 6, 10], 'layer 1 goes whole; layer 3 keeps its MLP');
    const bounded = sublayerSearch(model, batches, parts, 2);
    assert.equal(bounded.length, 9);
  } finally {
    opened.model.dispose();
  }
});

test('CLI: sweep --sublayers prints both tables and the search summary, and --json carries them', () => {
  const loaded = tinyLanguageModel({ train: { ...TINY_TRAIN, steps: 4, evalEvery: 0, checkpointEvery: 0 } });
  const cli = path.join(import.meta.dirname, '../dist/cli.js');
  const run = spawnSync(process.execPath, [cli, 'train', loaded.file], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const sweep = spawnSync(process.execPath, [cli, 'sweep', loaded.file, '--sublayers'], { encoding: 'utf8' });
  assert.equal(sweep.status, 0, sweep.stderr);
  assert.match(sweep.stdout, /attention and MLP, each removed alone \(loss increase ± paired error\):\nlayer\s+attention\s+mlp\n\s+0\s+-?\d\.\d{4} ± \d\.\d{4}/);
  assert.match(sweep.stdout, /sublayer search \(BlockPruner/);
  assert.match(sweep.stdout, /^\s+8\s+(attention|mlp) \d/m);
  assert.match(sweep.stdout, /sub-block cuts: /);
  const json = spawnSync(process.execPath, [cli, '--json', 'sweep', loaded.file, '--sublayers'], { encoding: 'utf8' });
  const result = JSON.parse(json.stdout.trim().split('\n').at(-1)!);
  assert.equal(result.analysis.parts.length, 4);
  assert.equal(result.analysis.sublayerSearch.length, 9);
});

test('export --skip-blocks: the exported config leaves those blocks out (renumbered), the exported model computes what the sub-network computed, and no Hugging Face folder claims otherwise', async () => {
  const loaded = tinyLanguageModel({ model: { ...TINY_MODEL, dropout: 0 }, train: { ...TINY_TRAIN, steps: 4, evalEvery: 0, checkpointEvery: 0 } });
  const cli = path.join(import.meta.dirname, '../dist/cli.js');
  const depthlab = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: loaded.dir });
  assert.equal(depthlab('train', loaded.file).status, 0);
  const exported = depthlab('--json', 'export', loaded.file, '--layers', '0,1,3', '--skip-blocks', 'attention:1,mlp:3');
  assert.equal(exported.status, 0, exported.stderr);
  const { dir, config: configFile, huggingFaceFolder } = JSON.parse(exported.stdout.trim().split('\n').at(-1)!);
  assert.equal(huggingFaceFolder, undefined);
  assert.match(JSON.parse(fs.readFileSync(path.join(dir, 'hf-config.json'), 'utf8')).note, /transformers has no config key that leaves out one layer's attention or MLP/);
  assert.match(fs.readFileSync(path.join(dir, 'fairseq.txt'), 'utf8'), /# fairseq has no config key/);
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  assert.deepEqual(config.model.skipBlocks, [{ layer: 1, part: 'attention' }, { layer: 2, part: 'mlp' }]);

  const run = readRun(findRun(loaded.file));
  const opened = openModel({ kind: 'run', loaded, run });
  const { model: pruned } = loadModelCheckpoint(path.join(dir, 'model.safetensors'));
  try {
    const batches = validationBatches(opened);
    const [original] = evaluateBatches(opened.model, batches, [[wholeLayer(0), withoutPart(1, 'attention'), withoutPart(3, 'mlp')]], true).evaluations;
    const [copy] = evaluateBatches(pruned, batches, [[0, 1, 2]]).evaluations;
    assert.ok(Math.abs(copy.loss - original.loss) < 1e-6, `${copy.loss} vs ${original.loss}`);
  } finally {
    opened.model.dispose();
    pruned.dispose();
  }

  const refused = (args: string[], pattern: RegExp) => {
    const result = depthlab(...args);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, pattern);
  };
  refused(['export', loaded.file, '--layers', '0,1', '--skip-blocks', 'mlp:3'], /--skip-blocks mlp:3: layer 3 is not kept \(kept: 0,1\)/);
  refused(['export', loaded.file, '--layers', '0,1', '--skip-blocks', 'mlp:1,attention:1'], /layer 1 would lose its attention and its MLP: leave it out whole instead/);
  refused(['export', loaded.file, '--skip-blocks', 'ffn:1'], /"ffn:1" is not a block; allowed: a comma list of attention:<layer> or mlp:<layer>/);
  refused(['export', path.join(FIXTURES, 'gpt2'), '--layers', '0,1', '--skip-blocks', 'mlp:1'], /--skip-blocks: not exported: transformers has no config key/);
});

test('model.skipBlocks in a config: a missing layer, a repeat, or both blocks of one layer are each an error at that entry', () => {
  const problems = (skipBlocks: unknown) => configProblems(JSON.stringify({ model: { layers: 4, skipBlocks } }), 'm.depthlab.json').map((p) => `${p.location.path}: ${p.message}`);
  assert.deepEqual(problems([{ layer: 1, part: 'attention' }, { layer: 3, part: 'mlp' }]), []);
  assert.deepEqual(problems([{ layer: 4, part: 'mlp' }]), ['model.skipBlocks[0]: layer 4 does not exist; allowed: 0..3']);
  assert.deepEqual(problems([{ layer: 2, part: 'mlp' }, { layer: 2, part: 'mlp' }]), ['model.skipBlocks[1]: mlp 2 is listed twice']);
  assert.match(problems([{ layer: 2, part: 'mlp' }, { layer: 2, part: 'attention' }])[0], /^model\.skipBlocks\[1\]: both blocks of layer 2 are left out: leave the layer out whole instead/);
});
