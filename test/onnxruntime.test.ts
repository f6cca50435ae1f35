/**
 * The onnxruntime backend: TF.js's wasm backend with its matrix products on onnxruntime's CPU
 * kernels (onnxruntime-node, a dependency, installed without its CUDA download).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadOnnxRuntime } from '../src/core/backend/onnxruntime/onnxruntimeAddon';
import { productsOnOnnxruntime } from '../src/core/backend/onnxruntime/onnxProducts';
import { chooseBackend } from '../src/core/backend/selectBackend';
import * as tf from '../src/core/backend/tf';
import { analyzeModelJob } from '../src/core/jobs/analyzeModelJob';
import { matMul, matMulTransposedB } from '../src/core/ops/matMul';
import { Rng } from '../src/core/random/rng';
import { parityTests, relativeDifference } from './backendParity';
import { cliBackendEvent, distWithBrokenAddon } from './helpers';

const CLI = path.join(__dirname, '../dist/cli.js');
// No Vulkan driver named: webgpu finds no adapter, so auto comes to the CPU engines.
const withoutGpu = { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json' };

const values = (length: number, seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length }, () => rng.next() * 2 - 1);
};

/** a·b (aᵀ·b with transposeA, a·bᵀ with transposeB) over the last two axes, summed in float64. */
function reference(a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number, transposeA = false, transposeB = false): Float64Array {
  const out = new Float64Array(batch * m * n);
  for (let s = 0; s < batch; s++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[s * m * k + (transposeA ? p * m + i : i * k + p)] * b[s * k * n + (transposeB ? j * k + p : p * n + j)];
        out[s * m * n + i * n + j] = sum;
      }
  return out;
}

test('onnxruntime, when asked for, runs the wasm backend with its products on onnxruntime, and names its version', async () => {
  const choice = await chooseBackend('onnxruntime');
  assert.deepEqual(choice, { backend: 'onnxruntime', device: `CPU; matrix products on onnxruntime ${loadOnnxRuntime().version}`, why: 'requested' });
  assert.match(choice.device, /onnxruntime 1\.\d+\.\d+$/);
  assert.equal(tf.getBackend(), 'wasm');
  assert.ok(productsOnOnnxruntime());
});

test('onnxruntime products equal float64 sums: 2-D and batched (small batches on our kernel), aᵀ·b, one row, shapes off our kernel\'s tiles, k past a cache block', async () => {
  await chooseBackend('onnxruntime');
  const cases: Array<{ batch: number[]; m: number; k: number; n: number; transposeA?: boolean }> = [
    { batch: [], m: 5, k: 7, n: 3 },
    { batch: [], m: 1, k: 768, n: 50 },
    { batch: [], m: 64, k: 1100, n: 24 },
    { batch: [2, 3], m: 9, k: 8, n: 11 },
    // Attention's small batched products, which stay on our kernel where they fill its tiles.
    { batch: [32, 4], m: 64, k: 32, n: 64 },
    { batch: [], m: 6, k: 13, n: 5, transposeA: true },
    { batch: [4], m: 16, k: 10, n: 8, transposeA: true },
  ];
  for (const { batch, m, k, n, transposeA } of cases) {
    const count = batch.reduce((x, y) => x * y, 1);
    const [a, b] = [values(count * m * k, 1), values(count * k * n, 2)];
    const product = tf.tidy(() => matMul(tf.tensor(a, [...batch, ...(transposeA ? [k, m] : [m, k])]), tf.tensor(b, [...batch, k, n]), transposeA));
    assert.deepEqual(product.shape, [...batch, m, n]);
    const difference = relativeDifference(product.dataSync(), reference(a, b, count, m, k, n, transposeA));
    assert.ok(difference < 1e-6, `${JSON.stringify({ batch, m, k, n, transposeA })}: ${difference}`);
    product.dispose();
  }
});

test('onnxruntime x·wᵀ (the LM head) reads w as stored and leaves its padding rows out', async () => {
  await chooseBackend('onnxruntime');
  const [m, k, rows, padded] = [7, 12, 10, 12];
  const [x, w] = [values(m * k, 3), values(padded * k, 4)];
  const product = matMulTransposedB(tf.tensor2d(x, [m, k]), tf.tensor2d(w, [padded, k]), rows);
  assert.deepEqual(product.shape, [m, rows]);
  assert.ok(relativeDifference(product.dataSync(), reference(x, w, 1, m, k, rows, false, true)) < 1e-6);
});

test('a process that switches from onnxruntime to wasm gets kernels.wat\'s products back, and back again', async () => {
  const product = () => tf.tidy(() => matMul(tf.tensor2d(values(20, 5), [4, 5]), tf.tensor2d(values(40, 6), [5, 8])).dataSync());
  await chooseBackend('onnxruntime');
  const onOnnx = product();
  await chooseBackend('wasm');
  assert.equal(productsOnOnnxruntime(), false);
  assert.ok(relativeDifference(product(), onOnnx) < 1e-6);
  await chooseBackend('onnxruntime');
  assert.ok(productsOnOnnxruntime());
});

parityTests('onnxruntime', { skip: false });

test('onnxruntime: a Hugging Face analysis on two evaluation threads (each loading onnxruntime) equals one thread\'s', async () => {
  const source = path.join(__dirname, 'fixtures', 'huggingface', 'gpt2');
  const analysisWith = async (threads: number) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-gpt2-'));
    fs.cpSync(source, folder, { recursive: true });
    return (await analyzeModelJob({ folder, tokens: 64, window: 16, threads }, { backend: 'onnxruntime' })).analysis;
  };
  const one = await analysisWith(1);
  const two = await analysisWith(2);
  assert.deepEqual(two.layers, one.layers);
});

test('the CLI on auto, with no GPU, trains on onnxruntime\'s products and says why', () => {
  const { event } = cliBackendEvent(CLI, withoutGpu);
  assert.equal(event?.backend, 'onnxruntime');
  assert.match(event!.device, /^CPU; matrix products on onnxruntime 1\./);
  assert.match(event!.why, /^auto; webgpu: .*; tensorflow-gpu, tensorflow: not installed$/);
});

test('an onnxruntime build that fails to load: auto falls back to wasm and gives the loader\'s reason; asked for, one line and exit 2', () => {
  const cli = distWithBrokenAddon(CLI, 'onnxruntime/onnxruntime_binding.node');
  const { event } = cliBackendEvent(cli, withoutGpu);
  assert.equal(event?.backend, 'wasm');
  assert.match(event!.why, /; onnxruntime: .*onnxruntime_binding\.node.*(invalid ELF header|too short)/);
  const asked = cliBackendEvent(cli, withoutGpu, 'onnxruntime');
  assert.equal(asked.status, 2);
  const lines = asked.stderr.trim().split('\n').filter((line) => line.startsWith('depthlab:'));
  assert.equal(lines.length, 1, asked.stderr);
  assert.match(lines[0], /backend "onnxruntime" is not available here \(onnxruntime: .*onnxruntime_binding\.node/);
});
