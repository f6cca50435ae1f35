import * as tf from '../backend/tf';
import { mergeHeads, splitHeads } from '../ops/heads';
import { linear } from '../ops/linear';
import { swapLastAxes, tapedMatMul } from '../ops/matMul';

export interface AttentionWeights {
  qkv: tf.Tensor2D;
  qkvBias: tf.Tensor1D;
  out: tf.Tensor2D;
  outBias: tf.Tensor1D;
}

export interface AttentionShape {
  /** Sequences in x; each has x.shape[0] / batch positions. */
  batch: number;
  heads: number;
}

/**
 * Multi-head self-attention. x: [batch·length, d]; `additiveMask` broadcasts against the
 * scores [batch, heads, length, length] (0 where attending is allowed, −1e9 where not).
 */
export function selfAttention(
  x: tf.Tensor2D,
  w: AttentionWeights,
  { batch, heads }: AttentionShape,
  additiveMask: tf.Tensor,
  dropProbabilities: (p: tf.Tensor) => tf.Tensor,
): tf.Tensor2D {
  const headDim = x.shape[1] / heads;
  const [q, k, v] = splitHeads(linear(x, w.qkv, w.qkvBias), batch, heads, 3);
  const scores = tapedMatMul(q, swapLastAxes(k)).mul(1 / Math.sqrt(headDim)).add(additiveMask);
  const context = tapedMatMul(dropProbabilities(tf.softmax(scores)) as tf.Tensor4D, v);
  return linear(mergeHeads([context]), w.out, w.outBias);
}
