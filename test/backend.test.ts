import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tf from '../src/core/backend/tf';
import { adamWStep } from '../src/core/ops/adamWStep';
import { columnSums } from '../src/core/ops/columnSums';
import { invertedDropout } from '../src/core/ops/dropout';
import { gelu } from '../src/core/ops/gelu';
import { mergeHeads, splitHeads } from '../src/core/ops/heads';
import { layerNorm } from '../src/core/ops/layerNorm';
import { linear } from '../src/core/ops/linear';
import { matMul, tapedMatMul } from '../src/core/ops/matMul';
import { oneHotFloat } from '../src/core/ops/oneHot';
import { logSumExpRows, rowMaxSumExp } from '../src/core/ops/rowMaxSumExp';
import { valuesInPlace } from '../src/core/backend/valuesInPlace';
import { wasmKernelBuild } from '../src/core/backend/wasm/wasmKernels';
import { Rng } from '../src/core/random/rng';
import { useWasm } from './helpers';

/** Our kernel of this name is registered on wasm. */
const registered = (...names: string[]) => names.every((name) => tf.getKernel(`DepthLab${name}`, 'wasm'));

before(useWasm);

function close(a: ArrayLike<number>, b: ArrayLike<number>, tolerance = 1e-4) {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tolerance * (1 + Math.abs(b[i])), `index ${i}: ${a[i]} vs ${b[i]}`);
}

test('linear fast path: value and gradients equal plain tf.matMul (+ bias), on whole tiles and on padded shapes', () => {
  // [40, 16]·[16, 24]: the product and both gradients fill whole tiles; [37, 19]·[19, 11]: every one is padded;
  // [8, 12]·[12, 1024]: 1,024 columns, widened by 8 against cache aliasing and sliced back.
  for (const [rows, inputs, outputs] of [[40, 16, 24], [37, 19, 11], [8, 12, 1024]]) {
    const x = tf.randomNormal([rows, inputs], 0, 1, 'float32', 1) as tf.Tensor2D;
    const w = tf.randomNormal([inputs, outputs], 0, 1, 'float32', 2) as tf.Tensor2D;
    const bias = tf.randomNormal([outputs], 0, 1, 'float32', 14) as tf.Tensor1D;
    const dy = tf.randomNormal([rows, outputs], 0, 1, 'float32', 3);
    const fast = tf.grads((a: tf.Tensor, b: tf.Tensor) => linear(a as tf.Tensor2D, b as tf.Tensor2D).mul(dy).sum())([x, w]);
    const plain = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D).mul(dy).sum())([x, w]);
    close(linear(x, w).dataSync(), tf.matMul(x, w).dataSync());
    fast.forEach((grad, i) => close(grad.dataSync(), plain[i].dataSync()));
    const fastBiased = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => linear(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor1D).mul(dy).sum())([x, w, bias]);
    const plainBiased = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D).add(c).mul(dy).sum())([x, w, bias]);
    close(linear(x, w, bias).dataSync(), tf.matMul(x, w).add(bias).dataSync());
    fastBiased.forEach((grad, i) => close(grad.dataSync(), plainBiased[i].dataSync()));
  }
});

test('column sums fast path (our SIMD kernel) equal tf.sum over rows', () => {
  assert.ok(registered('ColumnSums'), 'npm run build compiles dist/wasm/kernels.wasm');
  for (const [rows, cols] of [[37, 24], [5, 4], [9, 7]]) {
    const x = tf.randomNormal([rows, cols], 0, 1, 'float32', rows) as tf.Tensor2D;
    close(columnSums(x).dataSync(), tf.sum(x, 0).dataSync());
  }
});

test('dropout fast path: the seeded Rng stream\'s mask of zeros and 1/(1 − rate), drawn again for the gradient (kernel and fallback sizes)', () => {
  assert.ok(registered('Dropout'));
  const rate = 0.25;
  for (const shape of [[64, 128], [5, 7]]) {
    const x = tf.randomUniform(shape, 1, 2, 'float32', 15);
    const dy = tf.randomNormal(shape, 0, 1, 'float32', 16);
    const rng = new Rng(7);
    const mask = Array.from({ length: x.size }, () => (rng.next() < 1 - rate ? 1 / (1 - rate) : 0));
    const input = x.dataSync();
    assert.deepEqual(Array.from(invertedDropout(x, rate, 7).dataSync()), Array.from(input, (v, i) => Math.fround(v * Math.fround(mask[i]))));
    assert.notDeepEqual(Array.from(invertedDropout(x, rate, 8).dataSync()), Array.from(invertedDropout(x, rate, 7).dataSync()), 'another seed, another mask');
    const grad = tf.grad((a: tf.Tensor) => invertedDropout(a, rate, 7).mul(dy).sum())(x).dataSync();
    close(grad, Array.from(dy.dataSync(), (g, i) => g * mask[i]));
  }
  const kept = tf.tidy(() => invertedDropout(tf.ones([256, 256]), rate, 3).greater(0).mean().dataSync()[0]);
  assert.ok(Math.abs(kept - (1 - rate)) < 0.01, `kept ${kept}`);
});

test('Identity on wasm shares the buffer (the tape saves tensors by cloning them), and a clone outlives its source', () => {
  const x = tf.tensor([1, 2, 3]);
  const copy = tf.clone(x);
  assert.equal(copy.dataId, x.dataId);
  x.dispose();
  assert.deepEqual(Array.from(copy.dataSync()), [1, 2, 3]);
  copy.dispose();
});

test('GELU fast path: value and gradient equal the formula differentiated by TF.js (kernel and fallback sizes), and the tape keeps fewer bytes', async () => {
  assert.ok(registered('GeluInput', 'GeluGrad'));
  const plainGelu = (x: tf.Tensor) => x.mul(0.5).mul(tf.tanh(x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1));
  for (const shape of [[64, 96], [5, 7]]) {
    const x = tf.randomNormal(shape, 0, 2, 'float32', 4);
    const dy = tf.randomNormal(shape, 0, 1, 'float32', 5);
    close(gelu(x).dataSync(), plainGelu(x).dataSync());
    close(tf.grad((a: tf.Tensor) => gelu(a).mul(dy).sum())(x).dataSync(), tf.grad((a: tf.Tensor) => plainGelu(a).mul(dy).sum())(x).dataSync());
  }
  const x = tf.randomNormal([64, 96], 0, 2, 'float32', 4);
  const dy = tf.randomNormal([64, 96], 0, 1, 'float32', 5);
  const peak = async (f: (a: tf.Tensor) => tf.Tensor) => (await tf.profile(() => tf.grad((a: tf.Tensor) => f(a).mul(dy).sum())(x))).peakBytes;
  assert.ok((await peak(gelu)) < (await peak(plainGelu)));
});

test('LayerNorm fast path: value and gradients (input, weight, bias) equal TF.js differentiating moments (kernel and fallback widths)', () => {
  assert.ok(registered('LayerNorm', 'LayerNormGrad'));
  const plainLayerNorm = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).mul(tf.rsqrt(variance.add(1e-5))).mul(w).add(b);
  };
  for (const width of [24, 7]) {
    const x = tf.randomNormal([40, width], 3, 2, 'float32', 6) as tf.Tensor2D;
    const w = tf.randomNormal([width], 1, 0.3, 'float32', 7);
    const b = tf.randomNormal([width], 0, 0.3, 'float32', 8);
    const dy = tf.randomNormal([40, width], 0, 1, 'float32', 9);
    close(layerNorm(x, w, b).dataSync(), plainLayerNorm(x, w, b).dataSync());
    const fast = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => layerNorm(a as tf.Tensor2D, c, d).mul(dy).sum())([x, w, b]);
    const plain = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => plainLayerNorm(a, c, d).mul(dy).sum())([x, w, b]);
    fast.forEach((grad, i) => close(grad.dataSync(), plain[i].dataSync(), 1e-3));
  }
});

test('one-hot rows are real float ones on wasm', () => {
  const values = oneHotFloat(tf.tensor1d([2, 0, 1], 'int32'), 3);
  assert.equal(values.dtype, 'float32');
  assert.deepEqual(Array.from(values.dataSync()), [0, 0, 1, 1, 0, 0, 0, 1, 0]);
});

test('batched matMul fast path (our SIMD kernel): value and gradients equal tf.matMul, for attention shapes', () => {
  assert.ok(registered('MatMul'), 'npm run build compiles dist/wasm/kernels.wasm');
  // Each of the three products (value, both gradients) has m a multiple of 4 and n of 8: all take the kernel.
  const a = tf.randomNormal([2, 3, 8, 16], 0, 1, 'float32', 10) as tf.Tensor4D;
  const b = tf.randomNormal([2, 3, 16, 24], 0, 1, 'float32', 11) as tf.Tensor4D;
  const dy = tf.randomNormal([2, 3, 8, 24], 0, 1, 'float32', 12);
  close(tapedMatMul(a, b).dataSync(), tf.matMul(a, b).dataSync());
  const fast = tf.grads((x: tf.Tensor, y: tf.Tensor) => tapedMatMul(x as tf.Tensor4D, y as tf.Tensor4D).mul(dy).sum())([a, b]);
  const plain = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x as tf.Tensor4D, y as tf.Tensor4D).mul(dy).sum())([a, b]);
  close(fast[0].dataSync(), plain[0].dataSync());
  close(fast[1].dataSync(), plain[1].dataSync());
  const odd = tf.randomNormal([1, 2, 5, 3], 0, 1, 'float32', 13) as tf.Tensor4D;
  close(tapedMatMul(odd, tf.transpose(odd, [0, 1, 3, 2]) as tf.Tensor4D).dataSync(), tf.matMul(odd, odd, false, true).dataSync(), 1e-4);
});

test('head layout fast path (our kernel): split into heads and merge back equal TF.js split, reshape and transpose, values and gradients', () => {
  assert.ok(registered('SplitHeads', 'MergeHeads'));
  const [batch, length, heads, headDim] = [3, 5, 2, 4];
  const x = tf.randomNormal([batch * length, 3 * heads * headDim], 0, 1, 'float32', 17) as tf.Tensor2D;
  const plainSplit = (t: tf.Tensor) => tf.split(t, 3, 1).map((part) => part.reshape([batch, length, heads, headDim]).transpose([0, 2, 1, 3]));
  const dys = [18, 19].map((seed) => tf.randomNormal([batch, heads, length, headDim], 0, 1, 'float32', seed));
  // The loss leaves k out: its gradient must come back as zeros in k's columns.
  const loss = (parts: tf.Tensor[]) => parts[0].mul(dys[0]).sum().add(parts[2].mul(dys[1]).sum());
  splitHeads(x, batch, heads, 3).forEach((part, i) => close(part.dataSync(), plainSplit(x)[i].dataSync(), 0));
  close(
    tf.grad((t: tf.Tensor) => loss(splitHeads(t as tf.Tensor2D, batch, heads, 3)))(x).dataSync(),
    tf.grad((t: tf.Tensor) => loss(plainSplit(t)))(x).dataSync(),
    0,
  );
  const context = dys[0] as tf.Tensor4D;
  const plainMerge = (t: tf.Tensor) => t.transpose([0, 2, 1, 3]).reshape([batch * length, heads * headDim]);
  close(mergeHeads([context]).dataSync(), plainMerge(context).dataSync(), 0);
  const dy = tf.randomNormal([batch * length, heads * headDim], 0, 1, 'float32', 20);
  close(
    tf.grad((t: tf.Tensor) => mergeHeads([t as tf.Tensor4D]).mul(dy).sum())(context).dataSync(),
    tf.grad((t: tf.Tensor) => plainMerge(t).mul(dy).sum())(context).dataSync(),
    0,
  );
});

test('matMul fast path: a·b and aᵀ·b, 2-D and batched, k past a cache block, off the tile grid, equal tf.matMul; the relaxed-SIMD build is the one running', () => {
  assert.equal(wasmKernelBuild(), 'relaxed-simd', 'Node 20 enables relaxed SIMD through its V8 flag');
  for (const [batch, m, k, n] of [[[], 12, 70, 16], [[2, 3], 8, 33, 24], [[], 5, 9, 7]] as const) {
    const a = tf.randomNormal([...batch, m, k], 0, 1, 'float32', 21);
    const aT = tf.randomNormal([...batch, k, m], 0, 1, 'float32', 22);
    const b = tf.randomNormal([...batch, k, n], 0, 1, 'float32', 23);
    close(matMul(a, b).dataSync(), tf.matMul(a, b).dataSync());
    close(matMul(aT, b, true).dataSync(), tf.matMul(aT, b, true).dataSync());
    const before = tf.memory().numTensors;
    tf.dispose([matMul(a, b), matMul(aT, b, true)]);
    assert.equal(tf.memory().numTensors, before, 'padding and slicing leave no tensors behind');
  }
});

test('the build without relaxed SIMD (each fused multiply-add spelled as a multiply and an add) computes the same aᵀ·b', () => {
  const bytes = fs.readFileSync(path.resolve(__dirname, '../dist/wasm/kernels.wasm'));
  const memory = new WebAssembly.Memory({ initial: 1 });
  const { matMul: kernel } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { tfjs: { memory } }).exports as { matMul: (...args: number[]) => void };
  const [m, k, n] = [4, 40, 8];
  const heap = new Float32Array(memory.buffer);
  const [a, b, c] = [0, m * k, m * k + k * n];
  for (let i = 0; i < c; i++) heap[i] = Math.sin(i);
  kernel(a * 4, b * 4, c * 4, 1, m, k, n, 1);
  const expected = tf.matMul(tf.tensor2d(heap.slice(a, b), [k, m]), tf.tensor2d(heap.slice(b, c), [k, n]), true).dataSync();
  close(heap.slice(c, c + m * n), expected);
});

test('AdamW fast path: parameter and moments after a step equal the update written in TF.js ops (kernel and fallback sizes, with and without decay)', () => {
  assert.ok(registered('AdamW'));
  for (const [size, decay, step] of [[96, 0.01, 1], [96, 0, 7], [7, 0.01, 3]]) {
    const [param, grad, m] = [24, 25, 26].map((seed) => tf.randomNormal([size], 0, 1, 'float32', seed));
    const v = tf.randomUniform([size], 0, 1, 'float32', 27);
    const hyper = { beta1: 0.9, beta2: 0.98, epsilon: 1e-8, lr: 0.003, decay, step };
    const newM = m.mul(0.9).add(grad.mul(0.1));
    const newV = v.mul(0.98).add(grad.square().mul(0.02));
    const update = newM.div(1 - 0.9 ** step).div(newV.div(1 - 0.98 ** step).sqrt().add(1e-8));
    const expected = [param.sub(update.add(param.mul(decay)).mul(0.003)), newM, newV];
    adamWStep(param, grad, m, v, hyper).forEach((value, i) => close(value.dataSync(), expected[i].dataSync(), 1e-5));
  }
});

test('matMul hands shapes the kernel cannot take to tf.matMul: a broadcast batch is computed, a mismatched k is reported', () => {
  const a = tf.randomNormal([2, 8, 16], 0, 1, 'float32', 28);
  const b = tf.randomNormal([1, 16, 8], 0, 1, 'float32', 29);
  close(matMul(a, b).dataSync(), tf.matMul(a, b).dataSync());
  assert.throws(() => matMul(tf.ones([4, 5]), tf.ones([6, 8])), /inner shapes/);
});

test('values in place: on wasm a view of the tensor in the heap, no copy; on cpu (standing in for tfjs-node) its values', async () => {
  const values = Float32Array.from({ length: 37 }, (_, i) => i / 7 - 2);
  const onWasm = tf.tensor(values, [37]);
  const view = valuesInPlace(onWasm);
  assert.deepEqual(view, values);
  assert.notEqual(view.buffer, onWasm.dataSync().buffer, 'dataSync copies');
  const other = tf.scalar(1);
  assert.equal(valuesInPlace(other).buffer, view.buffer, 'both views are of the one wasm heap');
  onWasm.dispose();
  other.dispose();
  await tf.setBackend('cpu');
  try {
    assert.deepEqual(valuesInPlace(tf.tensor(values, [37])), values);
  } finally {
    await tf.setBackend('wasm');
  }
});

test('Slice and SplitV on wasm copy heap to heap without reading the whole input out (TF.js copied it into a new array), element for element as indexed', () => {
  const backend = tf.backend() as unknown as { readSync: (...args: unknown[]) => unknown };
  const readSync = backend.readSync;
  let reads = 0;
  backend.readSync = (...args: unknown[]) => {
    reads++;
    return readSync.apply(backend, args);
  };
  try {
    const cases: Array<[number[], number[], number[]]> = [
      [[10], [3], [5]],
      [[6, 7], [2, 0], [3, 7]],
      [[6, 7], [1, 2], [4, 3]],
      [[4, 5, 6], [1, 2, 3], [2, 3, 2]],
      [[3, 4, 5, 6], [0, 1, 0, 2], [3, 2, 5, 4]],
      [[2, 3, 2, 3, 4], [1, 0, 1, 1, 1], [1, 3, 1, 2, 2]],
      [[4, 5], [1, 1], [0, 3]],
    ];
    for (const [shape, begin, size] of cases) {
      const count = shape.reduce((a, b) => a * b, 1);
      const strides = shape.map((_, axis) => shape.slice(axis + 1).reduce((a, b) => a * b, 1));
      const expected: number[] = [];
      const visit = (axis: number, offset: number) => {
        if (axis === shape.length) return void expected.push(offset);
        for (let i = begin[axis]; i < begin[axis] + size[axis]; i++) visit(axis + 1, offset + i * strides[axis]);
      };
      visit(0, 0);
      for (const dtype of ['float32', 'int32'] as const) {
        const x = tf.tensor(Array.from({ length: count }, (_, i) => i), shape, dtype);
        const sliced = tf.slice(x, begin, size);
        assert.deepEqual(sliced.shape, size);
        assert.deepEqual(Array.from(valuesInPlace(sliced.toFloat())), expected, `${shape} from ${begin} size ${size} ${dtype}`);
        tf.dispose([x, sliced]);
      }
    }
    const x = tf.tensor(Array.from({ length: 4 * 9 }, (_, i) => i), [4, 9]);
    const parts = tf.split(x, [2, 3, 4], 1);
    assert.deepEqual(parts.map((part) => part.shape), [[4, 2], [4, 3], [4, 4]]);
    assert.deepEqual(Array.from(valuesInPlace(parts[1])), [2, 3, 4, 11, 12, 13, 20, 21, 22, 29, 30, 31]);
    const halves = tf.split(x, 2, 0);
    assert.deepEqual(Array.from(valuesInPlace(halves[1])), Array.from({ length: 18 }, (_, i) => 18 + i));
    assert.equal(reads, 0, 'no input was read out of the heap');
    tf.dispose([x, ...parts, ...halves]);
  } finally {
    backend.readSync = readSync;
  }
});

test('row maximum and Σ e^(x − maximum) (our SIMD kernel, its own e^x): equal float64, to 2e-7 relative on short rows (e^x itself) and 3e-5 on 50,257 (float32 sums; TF.js\'s own ops: 4e-5), with and without a tail, logits from ±0.01 to ±80, −∞ and NaN', () => {
  assert.ok(registered('RowMaxSumExp'));
  const rng = new Rng(11);
  for (const [rows, cols, scale, tolerance] of [[3, 1, 1, 2e-7], [4, 7, 3, 2e-7], [40, 9, 30, 2e-7], [6, 64, 0.01, 2e-7], [5, 50257, 10, 3e-5], [2, 4096, 80, 2e-6]]) {
    const x = Float32Array.from({ length: rows * cols }, () => (rng.next() * 2 - 1) * scale);
    const { max, sum } = rowMaxSumExp(tf.tensor2d(x, [rows, cols]));
    const [maxima, sums] = [max.dataSync(), sum.dataSync()];
    const logSumExps: number[] = [];
    for (let r = 0; r < rows; r++) {
      const row = x.subarray(r * cols, (r + 1) * cols);
      const m = row.reduce((a, b) => Math.max(a, b), -Infinity);
      const expected = row.reduce((total, v) => total + Math.exp(v - m), 0);
      assert.equal(maxima[r], m, `row ${r} of ${cols}: its maximum`);
      assert.ok(Math.abs(sums[r] - expected) <= tolerance * expected, `row ${r} of ${cols}: ${sums[r]} vs ${expected}`);
      logSumExps.push(m + Math.log(expected));
    }
    close(logSumExpRows(tf.tensor2d(x, [rows, cols])).dataSync(), logSumExps, 1e-6);
  }
  const masked = rowMaxSumExp(tf.tensor2d([0, -Infinity, 0, 1, 2, NaN, 3, 4], [2, 4]));
  assert.deepEqual([...masked.sum.dataSync()].map((s) => (Number.isNaN(s) ? 'NaN' : s.toFixed(6))), [(1 + 2 * Math.exp(-1)).toFixed(6), 'NaN'], 'e^−∞ is 0 (to 1e-38); a NaN makes its row NaN');
});
