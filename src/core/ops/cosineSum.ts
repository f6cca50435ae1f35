import * as tf from '../backend/tf';

/**
 * Block Influence (ShortGPT, Men et al. 2024): BI_l = 1 − mean over tokens of cos(x_in, x_out),
 * measured with every layer running. A layer that barely turns the residual stream scores near 0.
 * This is the sum over the batch's tokens of cos(x_in, x_out); the importance pass averages it.
 */
export function cosineSum(input: tf.Tensor2D, output: tf.Tensor2D): tf.Scalar {
  const dot = input.mul(output).sum(-1);
  const norms = input.norm('euclidean', -1).mul(output.norm('euclidean', -1)).add(1e-12);
  return dot.div(norms).sum();
}
