import * as tf from '../backend/tf';
import { matMul, swapLastAxes } from '../ops/matMul';

export interface AttentionShape {
  batch: number;
  heads: number;
  /** Key/value heads: fewer than `heads` in grouped-query attention, each shared by heads / kvHeads query heads. */
  kvHeads: number;
  headDim: number;
  /** Multiplies q·kᵀ (1/√headDim, and GPT-2's 1/(layer+1) where the config asks for it). */
  scale: number;
  /** Gemma 2: scaled scores soft-capped to ±softcap (tanh) before the mask. */
  softcap?: number;
}

const toHeads = (x: tf.Tensor2D, batch: number, heads: number, headDim: number) =>
  x.reshape([batch, -1, heads, headDim]).transpose([0, 2, 1, 3]) as tf.Tensor4D;

/**
 * Scaled dot-product attention over projected q [B·T, H·hd], k and v [B·T, KV·hd]; `rotate`
 * applies position rotations to q and k in head layout; `additiveMask` broadcasts against the
 * scores [B, H, T, T]. Returns [B·T, H·hd], before the output projection.
 */
export function attend(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, shape: AttentionShape, additiveMask: tf.Tensor, rotate?: (x: tf.Tensor4D) => tf.Tensor4D): tf.Tensor2D {
  const { batch, heads, kvHeads, headDim, scale, softcap } = shape;
  const repeat = (x: tf.Tensor4D) => {
    if (kvHeads === heads) return x;
    const [, , T] = x.shape;
    // Rank 3, whose tile TF.js differentiates (not rank 5).
    return x.reshape([batch * kvHeads, 1, T * headDim]).tile([1, heads / kvHeads, 1]).reshape([batch, heads, T, headDim]) as tf.Tensor4D;
  };
  let qh = toHeads(q, batch, heads, headDim);
  let kh = toHeads(k, batch, kvHeads, headDim);
  if (rotate) [qh, kh] = [rotate(qh), rotate(kh)];
  const scaled = matMul(qh, swapLastAxes(repeat(kh))).mul(scale);
  const scores = (softcap ? tf.tanh(scaled.div(softcap)).mul(softcap) : scaled).add(additiveMask);
  const context = matMul(tf.softmax(scores) as tf.Tensor4D, repeat(toHeads(v, batch, kvHeads, headDim)));
  return context.transpose([0, 2, 1, 3]).reshape([q.shape[0], heads * headDim]) as tf.Tensor2D;
}
