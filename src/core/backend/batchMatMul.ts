import * as fs from 'node:fs';
import { builtFile } from '../files/builtFile';
import * as tf from './tf';

/**
 * Batched matMul for attention ([batch, heads, m, k] · [batch, heads, k, n]). TF.js's wasm backend
 * runs a batched product with batch > 1 through a scalar loop at ~0.9 GFLOP/s; our SIMD kernel
 * (batchMatMul.wat, compiled to dist/wasm/batchMatMul.wasm by the build) runs it at ~3.8. Used on
 * the wasm and cpu backends when n is a multiple of 4; elsewhere, or without the kernel, tf.matMul.
 * The gradient is two more products with explicit transposes of the last two axes.
 */
export const batchMatMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: product(a, b),
    gradFunc: (dy: tf.Tensor, [savedA, savedB]: tf.Tensor[]) =>
      tf.tidy(() => [product(dy, swapLastAxes(savedB)), product(swapLastAxes(savedA), dy)]),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D;

function swapLastAxes(x: tf.Tensor): tf.Tensor {
  return tf.transpose(x, [0, 1, 3, 2]);
}

interface Kernel {
  memory: WebAssembly.Memory;
  bmm: (a: number, b: number, c: number, batch: number, m: number, k: number, n: number) => void;
}

let kernel: Kernel | null | undefined;

/** Whether the SIMD kernel is built and loadable here (tests check the fast path really runs). */
export function batchMatMulKernelLoaded(): boolean {
  return loadKernel() !== null;
}

function loadKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const file = builtFile('wasm/batchMatMul.wasm');
  kernel = fs.existsSync(file) ? (new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file))).exports as unknown as Kernel) : null;
  return kernel;
}

function product(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const [batch, heads, m, k] = (a as tf.Tensor4D).shape;
  const n = (b as tf.Tensor4D).shape[3];
  const fast = loadKernel();
  if (!fast || n % 4 !== 0 || !['wasm', 'cpu'].includes(tf.getBackend())) return tf.matMul(a as tf.Tensor4D, b as tf.Tensor4D);
  const count = batch * heads;
  const [aLength, bLength, cLength] = [count * m * k, count * k * n, count * m * n];
  const bytes = 4 * (aLength + bLength + cLength);
  const missing = bytes - fast.memory.buffer.byteLength;
  if (missing > 0) fast.memory.grow(Math.ceil(missing / 65536));
  const heap = new Float32Array(fast.memory.buffer);
  heap.set(a.dataSync() as Float32Array, 0);
  heap.set(b.dataSync() as Float32Array, aLength);
  fast.bmm(0, 4 * aLength, 4 * (aLength + bLength), count, m, k, n);
  return tf.tensor4d(heap.slice(aLength + bLength, aLength + bLength + cLength), [batch, heads, m, n]);
}
