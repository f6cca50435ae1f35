/**
 * The webgpu backend on a real WebGPU implementation with no GPU: Dawn (the npm package `webgpu`)
 * over SwiftShader's Vulkan driver, which Debian's chromium package installs (.ci/run installs it,
 * with the Vulkan loader libvulkan1). Correctness only: SwiftShader runs on the CPU.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as tf from '../src/core/backend/tf';
import { chooseBackend } from '../src/core/backend/selectBackend';
import { findAdapter } from '../src/core/backend/webgpu/gpuAdapter';
import { readSafetensors } from '../src/core/checkpoint/safetensors';
import { openPretrained } from '../src/core/huggingface/openPretrained';
import { analyzeJob } from '../src/core/jobs/analyzeJob';
import { analyzeModelJob } from '../src/core/jobs/analyzeModelJob';
import { compareJob } from '../src/core/jobs/compareJob';
import { exportModelJob } from '../src/core/jobs/exportModelJob';
import { trainJob } from '../src/core/jobs/trainJob';
import type { Batch } from '../src/core/model/layeredModel';
import { adamWStep } from '../src/core/ops/adamWStep';
import { columnSums } from '../src/core/ops/columnSums';
import { crossEntropy } from '../src/core/ops/crossEntropy';
import { invertedDropout } from '../src/core/ops/dropout';
import { embeddingLookup } from '../src/core/ops/embedding';
import { gelu } from '../src/core/ops/gelu';
import { mergeHeads, splitHeads } from '../src/core/ops/heads';
import { layerNorm } from '../src/core/ops/layerNorm';
import { linear } from '../src/core/ops/linear';
import { matMul, matMulTransposedB } from '../src/core/ops/matMul';
import { Rng } from '../src/core/random/rng';
import { TINY_MODEL, TINY_TRAIN, tinyLanguageModel, workspace } from './helpers';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const CLI = path.join(__dirname, '../dist/cli.js');
const FIXTURES = path.join(__dirname, 'fixtures', 'huggingface');
const FAMILIES = ['gpt2', 'llama', 'mistral', 'mistral_sliding', 'qwen2', 'qwen3', 'olmo2', 'phi3', 'phi3_longrope', 'gemma2', 'gemma3_text', 'gpt_neox', 'opt', 'bert', 'roberta', 'distilbert'];

const softwareGpu = { ...process.env, VK_ICD_FILENAMES: SWIFTSHADER, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-xdg-')) };
Object.assign(process.env, softwareGpu);
// Developers without Debian's chromium skip these; CI installs it, so there they run (and fail if it is gone).
const skip = !fs.existsSync(SWIFTSHADER) && !process.env.CI ? `${SWIFTSHADER} is missing (apt-get install chromium libvulkan1)` : false;

/** Largest difference relative to the reference's largest magnitude (at least 1). */
function relativeDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let difference = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    difference = Math.max(difference, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return difference / scale;
}

const values = (shape: number[], seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next() * 2 - 1);
};

/** Each case builds its inputs from plain arrays and returns its outputs: the value of a weighted sum and the gradients of every input. */
const OPS: Record<string, () => tf.Tensor[]> = {
  linear: () => gradients((x, w, b) => linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D), [[8, 16], [16, 12], [12]]),
  'batched matMul': () => gradients((a, b) => matMul(a, b), [[2, 3, 8, 5], [2, 3, 5, 7]]),
  'matMul aᵀ·b': () => gradients((a, b) => matMul(a, b, true), [[6, 8], [6, 5]]),
  'matMul with bᵀ (the LM head)': () => gradients((x, w) => matMulTransposedB(x as tf.Tensor2D, w as tf.Tensor2D), [[8, 16], [20, 16]]),
  layerNorm: () => gradients((x, w, b) => layerNorm(x as tf.Tensor2D, w, b), [[8, 16], [16], [16]]),
  gelu: () => gradients((x) => gelu(x), [[8, 16]]),
  softmax: () => gradients((x) => tf.softmax(x), [[4, 8, 8]]),
  'cross entropy': () => gradients((logits) => crossEntropy(logits as tf.Tensor2D, Int32Array.from([1, 5, 0, 19, 3, 3, 7, 12])), [[8, 20]]),
  'embedding gather': () => gradients((table) => embeddingLookup(table as tf.Tensor2D, Int32Array.from([1, 5, 0, 19, 3, 3, 7, 12])), [[20, 16]]),
  'split and merge heads': () => gradients((x) => mergeHeads(splitHeads(x as tf.Tensor2D, 2, 2, 3).map((part) => part.mul(part) as tf.Tensor4D)), [[2 * 4, 3 * 8]]),
  'column sums': () => gradients((x) => columnSums(x as tf.Tensor2D), [[8, 16]]),
  dropout: () => gradients((x) => invertedDropout(x, 0.3, 7), [[8, 16]]),
  'AdamW step': () => adamWStep(...([[64], [64], [64], [64]].map((shape, i) => (i === 3 ? tf.tensor(values(shape, 10 + i)).abs() : tf.tensor(values(shape, 10 + i)))) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]), { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, decay: 0.1, step: 3 }),
};

function gradients(op: (...inputs: tf.Tensor[]) => tf.Tensor, shapes: number[][]): tf.Tensor[] {
  const inputs = shapes.map((shape, i) => tf.tensor(values(shape, i + 1), shape));
  const loss = (...xs: tf.Tensor[]) => {
    const y = op(...xs);
    return tf.sum(tf.mul(y, tf.tensor(values(y.shape, 99), y.shape)));
  };
  const { value, grads } = tf.valueAndGrads(loss)(inputs);
  return [value, ...grads];
}

async function outputsOn(backend: 'webgpu' | 'cpu', op: () => tf.Tensor[]): Promise<Float32Array[]> {
  await chooseBackend(backend);
  return tf.tidy(op).map((t) => {
    const data = t.dataSync() as Float32Array;
    t.dispose();
    return data;
  });
}

test('webgpu, when asked for, runs on the software adapter and names it', { skip }, async () => {
  const choice = await chooseBackend('webgpu');
  assert.equal(choice.backend, 'webgpu');
  assert.match(choice.device, /SwiftShader.*a software adapter/);
  assert.equal(choice.why, 'requested');
  assert.equal(tf.getBackend(), 'webgpu');
});

test('auto never takes the software adapter: the adapter search refuses it, naming it', { skip }, async () => {
  await assert.rejects(findAdapter(true), /only SwiftShader.*a software adapter, which auto never picks/);
  assert.equal((await findAdapter(false)).summary.software, true);
});

for (const [name, op] of Object.entries(OPS)) {
  test(`webgpu: ${name}, value and gradients, equal the cpu backend's to 1e-4 relative`, { skip }, async () => {
    const expected = await outputsOn('cpu', op);
    const actual = await outputsOn('webgpu', op);
    assert.equal(actual.length, expected.length);
    actual.forEach((output, i) => assert.ok(relativeDifference(output, expected[i]) < 1e-4, `output ${i} differs by ${relativeDifference(output, expected[i])}`));
  });
}

/**
 * Gemma's (1 + w) q/k norms make its attention scores large and its softmax sharp. On SwiftShader the
 * projections and norms agree with wasm to 8e-7 but the attention output differs by 3e-4 (measured
 * 2026-12-03, gemma3_text layer 0), and the logits by 7.5e-4 relative; wasm matches transformers to 6e-6.
 */
const SOFTWARE_GPU_TOLERANCE: Record<string, number> = { gemma2: 2e-3, gemma3_text: 2e-3 };

for (const family of FAMILIES) {
  test(`webgpu: ${family} logits equal the wasm backend's to 1e-4`, { skip }, async () => {
    const folder = path.join(FIXTURES, family);
    const expected = require(path.join(folder, 'reference.json')) as { ids: number[] };
    const ids = Int32Array.from(expected.ids);
    const batch: Batch = { size: 1, length: ids.length, inputs: ids, targets: ids };
    const logitsOn = async (backend: 'webgpu' | 'wasm') => {
      await chooseBackend(backend);
      const { model } = openPretrained(folder, backend);
      try {
        return tf.tidy(() => {
          const stream = model.embed(batch, { training: false });
          for (let layer = 0; layer < model.layers; layer++) stream.x = model.block(stream, layer, { training: false });
          return model.logits(stream.x).dataSync() as Float32Array;
        });
      } finally {
        model.dispose();
      }
    };
    const wasm = await logitsOn('wasm');
    const webgpu = await logitsOn('webgpu');
    const tolerance = SOFTWARE_GPU_TOLERANCE[family] ?? 1e-4;
    assert.ok(relativeDifference(webgpu, wasm) < tolerance, `logits differ by ${relativeDifference(webgpu, wasm)}`);
    const reference = readSafetensors(path.join(folder, 'reference.safetensors')).tensors.get('logits')!.data;
    assert.ok(relativeDifference(webgpu, reference) < tolerance, 'and transformers');
  });
}

test('webgpu: 20 training steps (LayerDrop, dropout) have losses within 1% of wasm\'s, step by step', { skip }, async () => {
  const losses = async (backend: 'webgpu' | 'wasm') => {
    const loaded = tinyLanguageModel({ layerdrop: { rate: 0.3 }, train: { steps: 20, batchSize: 8, lr: 0.01, warmup: 2, evalEvery: 20, evalBatches: 2, checkpointEvery: 20, backend, threads: 1 } });
    const seen: number[] = [];
    const result = await trainJob({ configFile: loaded.file }, { onEvent: (event) => event.type === 'step' && seen.push(event.loss) });
    assert.equal(result.backend, backend);
    return seen;
  };
  const wasm = await losses('wasm');
  const webgpu = await losses('webgpu');
  assert.equal(webgpu.length, 20);
  webgpu.forEach((loss, i) => assert.ok(Math.abs(loss - wasm[i]) <= 0.01 * wasm[i], `step ${i + 1}: ${loss} on webgpu, ${wasm[i]} on wasm`));
  assert.ok(webgpu[19] < webgpu[0] - 0.1, 'and it learns');
});

/** Every number in `actual` within `tolerance` (relative, at least absolute) of `expected`'s; all else equal; timings and the device skipped. */
function assertSameResults(actual: unknown, expected: unknown, tolerance: number, where = 'result'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)) || (Number.isNaN(actual) && Number.isNaN(expected)), `${where}: ${actual} on webgpu, ${expected} on wasm`);
  } else if (expected && typeof expected === 'object') {
    for (const key of Object.keys(expected)) {
      if (/ms|seconds|perSecond|At$|date|backend|device|file|folder|runId|runDir|dir$/i.test(key)) continue;
      assertSameResults((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], tolerance, `${where}.${key}`);
    }
  } else assert.deepEqual(actual, expected, where);
}

test('webgpu: a trained run\'s analysis (importance, Block Influence, angular distance, every strategy\'s sweep with search-on-valid) equals wasm\'s on the same checkpoint', { skip }, async () => {
  await chooseBackend('wasm');
  const loaded = tinyLanguageModel({ layerdrop: { rate: 0.3 }, prune: { strategy: 'search-on-valid', targetLayers: 2 } });
  await trainJob({ configFile: loaded.file }, {});
  const wasm = await analyzeJob({ configFile: loaded.file }, { backend: 'wasm' });
  const webgpu = await analyzeJob({ configFile: loaded.file }, { backend: 'webgpu' });
  assertSameResults(webgpu.analysis, wasm.analysis, 1e-4);
});

test('webgpu: a Hugging Face folder\'s analysis equals wasm\'s, and its pruned export is written', { skip }, async () => {
  const request = { folder: path.join(FIXTURES, 'llama'), tokens: 64, window: 16 };
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-llama-'));
  fs.cpSync(request.folder, folder, { recursive: true });
  const wasm = await analyzeModelJob({ ...request, folder }, { backend: 'wasm' });
  const webgpu = await analyzeModelJob({ ...request, folder }, { backend: 'webgpu' });
  assertSameResults(webgpu.analysis, wasm.analysis, 1e-4);
  const exported = await exportModelJob({ ...request, folder, layers: [0, 1], out: path.join(folder, '..', `${path.basename(folder)}-keep-0-1`) }, { backend: 'webgpu' });
  assert.equal(JSON.parse(fs.readFileSync(path.join(exported.out, 'config.json'), 'utf8')).num_hidden_layers, 2);
});

test('webgpu: compare (three models trained, every depth swept) runs and says what it found', { skip }, async () => {
  const loaded = tinyLanguageModel({ model: { ...TINY_MODEL, layers: 2 }, train: { ...TINY_TRAIN, steps: 4, backend: 'webgpu' }, prune: { strategy: 'every-other', targetLayers: 1 } });
  const result = await compareJob({ configFile: loaded.file }, {});
  assert.ok(result.summary.length > 0);
  assert.equal(result.models.length, 3);
});

/** A config the CLI trains for one step; returns its first event (the backend line) as JSON. */
function backendEvent(cli: string): { backend: string; device: string; why: string } {
  const dir = workspace();
  const loaded = tinyLanguageModel({ train: { steps: 1, batchSize: 4, evalEvery: 1, evalBatches: 1, checkpointEvery: 1, threads: 1 } }, dir);
  const result = spawnSync(process.execPath, [cli, '--json', 'train', loaded.file], { encoding: 'utf8', env: softwareGpu, timeout: 120_000 });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.split('\n')[0]);
}

test('the CLI on auto, with only a software adapter, trains on wasm and says why', { skip }, () => {
  const event = backendEvent(CLI);
  assert.equal(event.backend, 'wasm');
  assert.match(event.why, /^auto; webgpu: only SwiftShader.*which auto never picks; tensorflow-gpu, tensorflow: not installed$/);
});

test('a Dawn build that fails to load: auto falls back to wasm and gives the loader\'s reason', { skip }, () => {
  // A packaged extension loads dist/dawn/dawn.node; here it is a file that is not a shared library.
  const dist = path.dirname(CLI);
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-dist-'));
  for (const entry of fs.readdirSync(dist)) if (entry !== 'cli.js' && entry !== 'dawn') fs.symlinkSync(path.join(dist, entry), path.join(copy, entry));
  fs.copyFileSync(CLI, path.join(copy, 'cli.js'));
  fs.mkdirSync(path.join(copy, 'dawn'));
  fs.writeFileSync(path.join(copy, 'dawn', 'dawn.node'), 'not a shared library');
  const event = backendEvent(path.join(copy, 'cli.js'));
  assert.equal(event.backend, 'wasm');
  assert.match(event.why, /^auto; webgpu: .*dawn\.node.*(invalid ELF header|too short)/);
});

test('--backend webgpu with an adapter name that matches none: one line naming the adapters found, exit 2', { skip }, () => {
  const loaded = tinyLanguageModel();
  const result = spawnSync(process.execPath, [CLI, '--backend', 'webgpu', 'train', loaded.file], { encoding: 'utf8', env: { ...softwareGpu, DEPTHLAB_GPU_ADAPTER: 'NoSuchGPU' }, timeout: 120_000 });
  assert.equal(result.status, 2);
  const lines = result.stderr.trim().split('\n').filter((line) => line.startsWith('depthlab:'));
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /DEPTHLAB_GPU_ADAPTER=NoSuchGPU: .*Available adapters: backend: 'vulkan', name: 'SwiftShader Device \(Subzero\)'/);
});

// Last in this file: the device stays failed, as a real device does after an out-of-memory or a loss.
test('a GPU error mid-training (a buffer past the adapter\'s limit) fails the run naming the device; its checkpoint stays, and the run resumes', { skip }, async () => {
  const loaded = tinyLanguageModel({ train: { ...TINY_TRAIN, steps: 8, evalEvery: 2, checkpointEvery: 2, backend: 'webgpu' } });
  const expected = /GPU error on SwiftShader.*: Buffer size \(1200000000\) exceeds the max buffer size limit \(1073741824\); DepthLab held [\d.]+ GB on it\. The device is unusable/;
  // At step 3 something asks the GPU for more than it allows, as a model too big for its memory does.
  const overAsk = (event: { type: string; step?: number }) => event.type === 'step' && event.step === 3 && tf.fill([300_000_000], 1);
  await assert.rejects(trainJob({ configFile: loaded.file }, { onEvent: overAsk }), expected);
  const runs = path.join(path.dirname(loaded.file), '.depthlab', 'runs');
  const [runId] = fs.readdirSync(runs);
  const record = JSON.parse(fs.readFileSync(path.join(runs, runId, 'run.json'), 'utf8'));
  assert.equal(record.status, 'failed');
  assert.match(record.error, expected);
  assert.throws(() => tf.ones([4]).sum().dataSync(), expected, 'every read after it fails too');
  const resumed = await trainJob({ configFile: loaded.file, resume: true }, { backend: 'wasm' });
  assert.deepEqual([resumed.runId, resumed.status, resumed.step], [runId, 'completed', 8]);
});
