import { BATCH_MAT_MUL, runFastKernel } from './wasmKernels';
import * as tf from './tf';

/**
 * Batched matMul for attention ([batch, heads, m, k] · [batch, heads, k, n]). TF.js's wasm backend
 * runs a batched product with batch > 1 through a scalar loop at ~0.9 GFLOP/s; our register-tiled
 * SIMD kernel (kernels.wat) is used when m is a multiple of 4 and n of 8, elsewhere tf.matMul.
 * The gradient is two more products with explicit transposes of the last two axes.
 */
export const batchMatMul = tf.customGrad(((a: tf.Tensor4D, b: tf.Tensor4D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: product(a, b),
    gradFunc: (dy: tf.Tensor4D, [savedA, savedB]: tf.Tensor4D[]) => tf.tidy(() => [product(dy, swapLastAxes(savedB)), product(swapLastAxes(savedA), dy)]),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D;

function swapLastAxes(x: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(x, [0, 1, 3, 2]);
}

function product(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  return runFastKernel(BATCH_MAT_MUL, { a, b }, a.shape[2] % 4 === 0 && b.shape[3] % 8 === 0, () => tf.matMul(a, b));
}
