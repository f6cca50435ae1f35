import { MAT_MUL, runFastKernel } from './wasmKernels';
import * as tf from './tf';

/**
 * a·b, or aᵀ·b with `transposeA`, over the last two axes; leading axes are a batch. On wasm our
 * register-tiled SIMD kernel (kernels.wat) runs it when m is a multiple of 4 and n of 8: about twice
 * xnnpack's dense speed, and 10× TF.js's batched and transposed paths. Elsewhere tf.matMul, with an
 * explicit transpose because wasm's transposeA flag is the slow path.
 */
export function matMul<T extends tf.Tensor>(a: T, b: T, transposeA = false): T {
  const rank = a.rank;
  const m = a.shape[transposeA ? rank - 1 : rank - 2];
  const n = b.shape[rank - 1];
  const fallback = () => tf.matMul(transposeA ? swapLastAxes(a) : a, b) as T;
  return runFastKernel(MAT_MUL, { a, b }, m % 4 === 0 && n % 8 === 0, fallback, { transposeA });
}

/** The transpose of the last two axes. */
export function swapLastAxes<T extends tf.Tensor>(x: T): T {
  const axes = x.shape.map((_, i) => i);
  [axes[x.rank - 2], axes[x.rank - 1]] = [axes[x.rank - 1], axes[x.rank - 2]];
  return tf.transpose(x, axes);
}
