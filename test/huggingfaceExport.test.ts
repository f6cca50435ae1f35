import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as tf from '../src/core/backend/tf';
import { selectBackend } from '../src/core/backend/selectBackend';
import { UserError } from '../src/core/errors';
import { openPretrained } from '../src/core/huggingface/openPretrained';
import { exportModelJob } from '../src/core/jobs/exportModelJob';

const FIXTURES = path.join(__dirname, 'fixtures', 'huggingface');
const CLI = path.join(__dirname, '../dist/cli.js');

/** A writable copy of a fixture model, so analyses and exports land in a temp folder. */
function copyOf(family: string): string {
  const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-hf-')), family);
  fs.cpSync(path.join(FIXTURES, family), folder, { recursive: true });
  return folder;
}

function logitsThrough(folder: string, layers: number[]): Float32Array {
  const { model } = openPretrained(folder, 'wasm');
  const ids = Int32Array.from([5, 40, 41, 42, 43, 44, 45, 9]);
  const values = tf.tidy(() => {
    const stream = model.embed({ size: 1, length: ids.length, inputs: ids, targets: ids }, { training: false });
    for (const layer of layers) stream.x = model.block(stream, layer, { training: false });
    return model.logits(stream.x).dataSync() as Float32Array;
  });
  model.dispose();
  return values;
}

const maxDifference = (a: Float32Array, b: Float32Array) => a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i])), 0);

test('export: the pruned GPT-2 folder (sharded, inverse-layer scaling) computes what the sub-network computed', async () => {
  await selectBackend('wasm');
  const folder = copyOf('gpt2');
  const result = await exportModelJob({ folder, layers: [3, 1], tokens: 512, window: 32 }, { backend: 'wasm' });
  assert.deepEqual(result.keep, [1, 3]);
  const config = JSON.parse(fs.readFileSync(path.join(result.out, 'config.json'), 'utf8'));
  assert.equal(config.n_layer, 2);
  const index = JSON.parse(fs.readFileSync(path.join(result.out, 'model.safetensors.index.json'), 'utf8'));
  const layerNames = Object.keys(index.weight_map).filter((name) => name.startsWith('transformer.h.'));
  assert.deepEqual([...new Set(layerNames.map((name) => name.split('.')[2]))].sort(), ['0', '1']);
  for (const shard of new Set(Object.values(index.weight_map) as string[])) assert.ok(fs.existsSync(path.join(result.out, shard)), shard);
  assert.ok(fs.existsSync(path.join(result.out, 'tokenizer.json')));
  assert.match(fs.readFileSync(path.join(result.out, 'README.md'), 'utf8'), /Kept layers \(original indices\): 1, 3/);
  const handoff = path.join(result.out, 'training-handoff');
  assert.match(fs.readFileSync(path.join(handoff, 'fairseq.txt'), 'utf8'), /--decoder-layerdrop 0\.50\n[^]*--decoder-layers-to-keep 1,3/);
  assert.match(fs.readFileSync(path.join(handoff, 'torchtune-layer-dropout.yaml'), 'utf8'), /layer_dropout:\n  prob: 0\.50/);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(handoff, 'deepspeed-progressive-layer-drop.json'), 'utf8')).progressive_layer_drop, { enabled: true, theta: 0.5, gamma: 0.001 });
  const difference = maxDifference(logitsThrough(result.out, [0, 1]), logitsThrough(folder, [1, 3]));
  assert.ok(difference < 1e-4, `exported against sub-network logits: ${difference}`);
  assert.ok(result.after.perplexity! > 0 && result.before.layers.length === 4);
});

test('export: Qwen2’s per-layer lists are sliced and max_window_layers follows the kept layers', async () => {
  const folder = copyOf('qwen2');
  const raw = JSON.parse(fs.readFileSync(path.join(folder, 'config.json'), 'utf8'));
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify({ ...raw, use_sliding_window: true, layer_types: undefined, sliding_window: 64 }));
  const { out } = await exportModelJob({ folder, layers: [0, 2, 3], tokens: 512, window: 32 }, { backend: 'wasm' });
  const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
  assert.equal(config.num_hidden_layers, 3);
  assert.deepEqual(config.layer_types, ['full_attention', 'sliding_attention', 'sliding_attention']);
  assert.equal(config.max_window_layers, 1);
  assert.ok(maxDifference(logitsThrough(out, [0, 1, 2]), logitsThrough(folder, [0, 2, 3])) < 1e-4);
});

test('export refuses an unknown per-layer list and a non-empty --out, writing nothing', async () => {
  const folder = copyOf('llama');
  const raw = JSON.parse(fs.readFileSync(path.join(folder, 'config.json'), 'utf8'));
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify({ ...raw, expert_counts: [1, 2, 3, 4] }));
  const out = path.join(path.dirname(folder), 'pruned');
  await assert.rejects(exportModelJob({ folder, layers: [0, 1], out, tokens: 512, window: 32 }, { backend: 'wasm' }), (error: Error) => error instanceof UserError && /"expert_counts" is a list of 4 entries/.test(error.message));
  assert.equal(fs.existsSync(out), false);
  assert.deepEqual(fs.readdirSync(path.dirname(folder)).sort(), ['llama']);
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'keep.txt'), 'mine');
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(raw));
  await assert.rejects(exportModelJob({ folder, layers: [0, 1], out, tokens: 512, window: 32 }, { backend: 'wasm' }), /exists and is not empty/);
  assert.deepEqual(fs.readdirSync(out), ['keep.txt']);
});

test('CLI: analyze a model folder, then export its recommendation; a folder without weights exits 2 with one line', () => {
  const folder = copyOf('bert');
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, '--backend', 'wasm', ...args], { encoding: 'utf8', timeout: 120_000 });
  const analyzed = run('analyze', folder, '--tokens', '1024', '--window', '64', '--strategy', 'contiguous-block', '--target', '2');
  assert.equal(analyzed.status, 0, analyzed.stderr);
  assert.match(analyzed.stdout, /bert, 3 layers/);
  assert.match(analyzed.stdout, /masked-token perplexity/);
  for (const strategy of ['every-other', 'search-on-valid', 'contiguous-block', 'importance']) assert.match(analyzed.stdout, new RegExp(`^${strategy}:$`, 'm'));
  assert.match(analyzed.stdout, /^    0  +[-\d.]+ ± \d\.\d{4}  /m, 'each loss increase with its error');
  const saved = JSON.parse(fs.readFileSync(path.join(folder, '.depthlab', 'analysis.json'), 'utf8'));
  assert.equal(saved.strategy, 'contiguous-block');
  assert.equal(saved.keep.length, 2);
  assert.equal(saved.angularDistance.length, 3);
  const exported = run('export', folder, '--tokens', '512', '--window', '64');
  assert.equal(exported.status, 0, exported.stderr);
  assert.match(exported.stdout, new RegExp(`chosen by the saved analysis: contiguous-block at depth 2`));
  assert.ok(fs.existsSync(`${folder}-keep-${saved.keep.join('-')}/model.safetensors`));

  fs.rmSync(path.join(folder, 'model.safetensors'));
  const missing = run('analyze', folder);
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  assert.match(missing.stderr, /no weights: expected model\.safetensors or model\.safetensors\.index\.json/);
});

test('CLI: a *.depthlab.json whose model.pretrained names a model folder is analyzed with its data and prune choices, and refused for training', () => {
  const folder = copyOf('llama');
  const dir = path.dirname(folder);
  fs.writeFileSync(path.join(dir, 'notes.txt'), fs.readFileSync(path.join(FIXTURES, '..', 'release-0.1-run', 'text.txt'), 'utf8').repeat(40));
  const config = path.join(dir, 'llama.depthlab.json');
  fs.writeFileSync(config, '{\n  // the model we already have\n  "model": { "pretrained": "./llama" },\n  "data": { "train": "notes.txt" },\n  "prune": { "strategy": "importance", "targetLayers": 3 }\n}\n');
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, '--backend', 'wasm', ...args], { encoding: 'utf8', timeout: 120_000 });
  const analyzed = run('analyze', config, '--tokens', '512', '--window', '32');
  assert.equal(analyzed.status, 0, analyzed.stderr);
  const saved = JSON.parse(fs.readFileSync(path.join(folder, '.depthlab', 'analysis.json'), 'utf8'));
  assert.equal(saved.strategy, 'importance');
  assert.equal(saved.keep.length, 3);
  assert.equal(saved.data.source, path.join(dir, 'notes.txt'));
  const trained = run('train', config);
  assert.equal(trained.status, 2);
  assert.match(trained.stderr, /model\.pretrained names a Hugging Face model \(\.\/llama\); DepthLab analyzes and prunes it without training/);
});

test("export: config.json keeps the source's spelling of every value it does not change (transformers 5 refuses 3 for a float), and slices layer_types", async () => {
  await selectBackend('wasm');
  const folder = copyOf('gemma2');
  const result = await exportModelJob({ folder, layers: [0, 1, 3], tokens: 256, window: 32 }, { backend: 'wasm' });
  const text = fs.readFileSync(path.join(result.out, 'config.json'), 'utf8');
  assert.match(text, /"final_logit_softcapping": 3\.0,/);
  assert.match(text, /"rope_theta": 10000\.0/);
  const config = JSON.parse(text);
  assert.equal(config.num_hidden_layers, 3);
  assert.deepEqual(config.layer_types, ['sliding_attention', 'full_attention', 'full_attention']);
});
