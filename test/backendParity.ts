/**
 * The checks every second engine passes against the reference ones: each op's value and gradients
 * against the cpu backend, every fixture family's logits against wasm and transformers, 20 training
 * steps, a trained run's analysis, a Hugging Face folder's analysis and export, and compare, each
 * against wasm. webgpu.test.ts runs them on a software GPU, onnxruntime.test.ts on onnxruntime's
 * products.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as tf from '../src/core/backend/tf';
import { chooseBackend } from '../src/core/backend/selectBackend';
import { readSafetensors } from '../src/core/checkpoint/safetensors';
import { openPretrained } from '../src/core/huggingface/openPretrained';
import { analyzeJob } from '../src/core/jobs/analyzeJob';
import { analyzeModelJob } from '../src/core/jobs/analyzeModelJob';
import { compareJob } from '../src/core/jobs/compareJob';
import { exportModelJob } from '../src/core/jobs/exportModelJob';
import { trainJob } from '../src/core/jobs/trainJob';
import type { Batch } from '../src/core/data/batch';
import { adamWStep } from '../src/core/ops/adamWStep';
import { columnSums } from '../src/core/ops/columnSums';
import { crossEntropy } from '../src/core/ops/crossEntropy';
import { invertedDropout } from '../src/core/ops/dropout';
import { gatherRows } from '../src/core/ops/gatherRows';
import { gelu } from '../src/core/ops/gelu';
import { mergeHeads, splitHeads } from '../src/core/ops/heads';
import { layerNorm } from '../src/core/ops/layerNorm';
import { linear } from '../src/core/ops/linear';
import { matMul, matMulTransposedB, tapedMatMul } from '../src/core/ops/matMul';
import { Rng } from '../src/core/random/rng';
import { TINY_MODEL, TINY_TRAIN, tinyLanguageModel, FIXTURE_FAMILIES } from './helpers';

type Engine = 'webgpu' | 'onnxruntime';

const FIXTURES = path.join(__dirname, 'fixtures', 'huggingface');

/** Largest difference relative to the reference's largest magnitude (at least 1). */
export function relativeDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
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

/** Each case builds its inputs from plain arrays and returns its outputs: the value of a weighted sum and the gradients of every input (of ops the engine differentiates). */
const OPS: Record<string, () => tf.Tensor[]> = {
  linear: () => gradients((x, w, b) => linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D), [[8, 16], [16, 12], [12]]),
  'batched matMul': () => gradients((a, b) => tapedMatMul(a, b), [[2, 3, 8, 5], [2, 3, 5, 7]]),
  'matMul aᵀ·b (weight gradients: its value only)': () => {
    const [a, b] = inputsOf([[6, 8], [6, 5]]);
    return [matMul(a, b, true)];
  },
  'matMul with bᵀ (the LM head)': () => gradients((x, w) => matMulTransposedB(x as tf.Tensor2D, w as tf.Tensor2D), [[8, 16], [20, 16]]),
  layerNorm: () => gradients((x, w, b) => layerNorm(x as tf.Tensor2D, w, b), [[8, 16], [16], [16]]),
  gelu: () => gradients((x) => gelu(x), [[8, 16]]),
  softmax: () => gradients((x) => tf.softmax(x), [[4, 8, 8]]),
  'cross entropy': () => gradients((logits) => crossEntropy(logits as tf.Tensor2D, Int32Array.from([1, 5, 0, 19, 3, 3, 7, 12])), [[8, 20]]),
  'embedding gather': () => gradients((table) => gatherRows(table as tf.Tensor2D, Int32Array.from([1, 5, 0, 19, 3, 3, 7, 12])), [[20, 16]]),
  'split and merge heads': () => gradients((x) => mergeHeads(splitHeads(x as tf.Tensor2D, 2, 2, 3).map((part) => part.mul(part) as tf.Tensor4D)), [[2 * 4, 3 * 8]]),
  'column sums (bias gradients: its value only)': () => [columnSums(inputsOf([[8, 16]])[0] as tf.Tensor2D)],
  dropout: () => gradients((x) => invertedDropout(x, 0.3, 7), [[8, 16]]),
  'AdamW step': () => adamWStep(...([[64], [64], [64], [64]].map((shape, i) => (i === 3 ? tf.tensor(values(shape, 10 + i)).abs() : tf.tensor(values(shape, 10 + i)))) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]), { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, decay: 0.1, step: 3 }),
};

const inputsOf = (shapes: number[][]) => shapes.map((shape, i) => tf.tensor(values(shape, i + 1), shape));

function gradients(op: (...inputs: tf.Tensor[]) => tf.Tensor, shapes: number[][]): tf.Tensor[] {
  const inputs = inputsOf(shapes);
  const loss = (...xs: tf.Tensor[]) => {
    const y = op(...xs);
    return tf.sum(tf.mul(y, tf.tensor(values(y.shape, 99), y.shape)));
  };
  const { value, grads } = tf.valueAndGrads(loss)(inputs);
  return [value, ...grads];
}

async function outputsOn(backend: Engine | 'cpu', op: () => tf.Tensor[]): Promise<Float32Array[]> {
  await chooseBackend(backend);
  return tf.tidy(op).map((t) => {
    const data = t.dataSync() as Float32Array;
    t.dispose();
    return data;
  });
}

/** Every number in `actual` within `tolerance` (relative, at least absolute) of `expected`'s; all else equal; timings and the device skipped. */
export function assertSameResults(actual: unknown, expected: unknown, tolerance: number, where = 'result'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)) || (Number.isNaN(actual) && Number.isNaN(expected)), `${where}: ${actual} here, ${expected} on wasm`);
  } else if (expected && typeof expected === 'object') {
    for (const key of Object.keys(expected)) {
      if (/ms|seconds|perSecond|At$|date|backend|device|file|folder|runId|runDir|dir$/i.test(key)) continue;
      assertSameResults((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], tolerance, `${where}.${key}`);
    }
  } else assert.deepEqual(actual, expected, where);
}

/**
 * Registers the parity tests for `engine`: each op to 1e-4 relative of cpu; logits to `logitsTolerance`
 * (1e-4 unless a family is named) of wasm and of transformers; the rest to 1e-4 of wasm.
 */
export function parityTests(engine: Engine, { skip, logitsTolerance = {} }: { skip: string | false; logitsTolerance?: Record<string, number> }): void {
  for (const [name, op] of Object.entries(OPS)) {
    test(`${engine}: ${name}, value and gradients, equal the cpu backend's to 1e-4 relative`, { skip }, async () => {
      const expected = await outputsOn('cpu', op);
      const actual = await outputsOn(engine, op);
      assert.equal(actual.length, expected.length);
      actual.forEach((output, i) => assert.ok(relativeDifference(output, expected[i]) < 1e-4, `output ${i} differs by ${relativeDifference(output, expected[i])}`));
    });
  }

  for (const family of FIXTURE_FAMILIES) {
    test(`${engine}: ${family} logits equal the wasm backend's to 1e-4`, { skip }, async () => {
      const folder = path.join(FIXTURES, family);
      const expected = require(path.join(folder, 'reference.json')) as { ids: number[] };
      const ids = Int32Array.from(expected.ids);
      const batch: Batch = { size: 1, length: ids.length, inputs: ids, targets: ids };
      const logitsOn = async (backend: Engine | 'wasm') => {
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
      const actual = await logitsOn(engine);
      const tolerance = logitsTolerance[family] ?? 1e-4;
      assert.ok(relativeDifference(actual, wasm) < tolerance, `logits differ by ${relativeDifference(actual, wasm)}`);
      const reference = readSafetensors(path.join(folder, 'reference.safetensors')).tensors.get('logits')!.data;
      assert.ok(relativeDifference(actual, reference) < tolerance, 'and transformers');
    });
  }

  test(`${engine}: 20 training steps (LayerDrop, dropout) have losses within 1% of wasm's, step by step`, { skip }, async () => {
    const losses = async (backend: Engine | 'wasm') => {
      const loaded = tinyLanguageModel({ layerdrop: { rate: 0.3 }, train: { steps: 20, batchSize: 8, lr: 0.01, warmup: 2, evalEvery: 20, evalBatches: 2, checkpointEvery: 20, backend, threads: 1 } });
      const seen: number[] = [];
      const result = await trainJob({ configFile: loaded.file }, { onEvent: (event) => event.type === 'step' && seen.push(event.loss) });
      assert.equal(result.backend, backend);
      return seen;
    };
    const wasm = await losses('wasm');
    const actual = await losses(engine);
    assert.equal(actual.length, 20);
    actual.forEach((loss, i) => assert.ok(Math.abs(loss - wasm[i]) <= 0.01 * wasm[i], `step ${i + 1}: ${loss} on ${engine}, ${wasm[i]} on wasm`));
    assert.ok(actual[19] < actual[0] - 0.1, 'and it learns');
  });

  test(`${engine}: a trained run's analysis (importance, Block Influence, angular distance, every strategy's sweep with search-on-valid) equals wasm's on the same checkpoint`, { skip }, async () => {
    await chooseBackend('wasm');
    const loaded = tinyLanguageModel({ layerdrop: { rate: 0.3 }, prune: { strategy: 'search-on-valid', targetLayers: 2 } });
    await trainJob({ configFile: loaded.file }, {});
    const wasm = await analyzeJob({ configFile: loaded.file }, { backend: 'wasm' });
    const actual = await analyzeJob({ configFile: loaded.file }, { backend: engine });
    assertSameResults(actual.analysis, wasm.analysis, 1e-4);
  });

  test(`${engine}: a Hugging Face folder's analysis equals wasm's, and its pruned export is written`, { skip }, async () => {
    const request = { folder: path.join(FIXTURES, 'llama'), tokens: 64, window: 16 };
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-llama-'));
    fs.cpSync(request.folder, folder, { recursive: true });
    const wasm = await analyzeModelJob({ ...request, folder }, { backend: 'wasm' });
    const actual = await analyzeModelJob({ ...request, folder }, { backend: engine });
    assertSameResults(actual.analysis, wasm.analysis, 1e-4);
    const exported = await exportModelJob({ ...request, folder, layers: [0, 1], out: path.join(folder, '..', `${path.basename(folder)}-keep-0-1`) }, { backend: engine });
    assert.equal(JSON.parse(fs.readFileSync(path.join(exported.out, 'config.json'), 'utf8')).num_hidden_layers, 2);
  });

  test(`${engine}: compare (three models trained, every depth swept) runs and says what it found`, { skip }, async () => {
    const loaded = tinyLanguageModel({ model: { ...TINY_MODEL, layers: 2 }, train: { ...TINY_TRAIN, steps: 4, backend: engine }, prune: { strategy: 'every-other', targetLayers: 1 } });
    const result = await compareJob({ configFile: loaded.file }, {});
    assert.ok(result.summary.length > 0);
    assert.equal(result.models.length, 3);
  });
}
