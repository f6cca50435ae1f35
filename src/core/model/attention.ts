import * as tf from '../backend/tf';
import { batchMatMul } from '../backend/batchMatMul';
import { linear } from '../backend/linear';

export interface AttentionWeights {
  qkv: tf.Tensor2D;
  qkvBias: tf.Tensor1D;
  out: tf.Tensor2D;
  outBias: tf.Tensor1D;
}

export interface AttentionShape {
  batch: number;
  length: number;
  heads: number;
}

/**
 * Multi-head self-attention. x: [batch·length, d]; `additiveMask` broadcasts against the
 * scores [batch, heads, length, length] (0 where attending is allowed, −1e9 where not).
 * q, k and v are split before the head transpose: a 4-D transpose is ~100× cheaper on wasm than the 5-D one.
 */
export function selfAttention(
  x: tf.Tensor2D,
  w: AttentionWeights,
  { batch, length, heads }: AttentionShape,
  additiveMask: tf.Tensor,
  dropProbabilities: (p: tf.Tensor) => tf.Tensor,
): tf.Tensor2D {
  const d = x.shape[1];
  const headDim = d / heads;
  const toHeads = (t: tf.Tensor) => t.reshape([batch, length, heads, headDim]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  const [q, k, v] = tf.split(linear(x, w.qkv, w.qkvBias), 3, 1).map(toHeads);
  const scores = batchMatMul(q, tf.transpose(k, [0, 1, 3, 2])).mul(1 / Math.sqrt(headDim)).add(additiveMask);
  const context = batchMatMul(dropProbabilities(tf.softmax(scores)) as tf.Tensor4D, v);
  return linear(context.transpose([0, 2, 1, 3]).reshape([batch * length, d]) as tf.Tensor2D, w.out, w.outBias);
}
