import { matMul, swapLastAxes } from './matMul';
import * as tf from './tf';

/**
 * Batched matMul for attention ([batch, heads, m, k] · [batch, heads, k, n]) as one taped op whose
 * gradient takes our kernel too: dA = dy·Bᵀ (B is small and transposed explicitly), dB = Aᵀ·dy.
 */
export const batchMatMul = tf.customGrad(((a: tf.Tensor4D, b: tf.Tensor4D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: matMul(a, b),
    gradFunc: (dy: tf.Tensor4D, [savedA, savedB]: tf.Tensor4D[]) => tf.tidy(() => [matMul(dy, swapLastAxes(savedB)), matMul(savedA, dy, true)]),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D;
