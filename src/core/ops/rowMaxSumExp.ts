import { kernelFits, kernelName } from '../backend/kernels';
import * as tf from '../backend/tf';

/**
 * Per row of x [rows, cols]: its maximum and Σ e^(x − maximum), the two halves of a log-sum-exp,
 * which blocks of a row combine. On wasm our SIMD kernel computes both in two passes over x (TF.js's
 * wasm Exp is scalar: 105 ms over GPT-2's 256 × 50,257 logits); elsewhere TF.js's ops. Values only:
 * no gradient flows through it.
 */
export function rowMaxSumExp(x: tf.Tensor2D): { max: tf.Tensor1D; sum: tf.Tensor1D } {
  return tf.tidy(() => {
    if (!kernelFits('rowMaxSumExp', { x })) {
      const max = x.max(1) as tf.Tensor1D;
      return { max, sum: x.sub(max.expandDims(1)).exp().sum(1) as tf.Tensor1D };
    }
    const [max, sum] = tf.unstack(tf.engine().runKernel(kernelName('rowMaxSumExp'), { x }, {}) as tf.Tensor2D) as tf.Tensor1D[];
    return { max, sum };
  });
}

/** log Σ e^x over each row of x, [rows]. */
export function logSumExpRows(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const { max, sum } = rowMaxSumExp(x);
    return max.add(sum.log()) as tf.Tensor1D;
  });
}
