import * as tf from '../backend/tf';
import { matMul, swapLastAxes } from '../ops/matMul';
import type { PretrainedConfig } from './pretrainedConfig';

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
    return x.reshape([batch, kvHeads, 1, T, headDim]).tile([1, 1, heads / kvHeads, 1, 1]).reshape([batch, heads, T, headDim]) as tf.Tensor4D;
  };
  let qh = toHeads(q, batch, heads, headDim);
  let kh = toHeads(k, batch, kvHeads, headDim);
  if (rotate) [qh, kh] = [rotate(qh), rotate(kh)];
  const scaled = matMul(qh, swapLastAxes(repeat(kh))).mul(scale);
  const scores = (softcap ? tf.tanh(scaled.div(softcap)).mul(softcap) : scaled).add(additiveMask);
  const context = matMul(tf.softmax(scores) as tf.Tensor4D, repeat(toHeads(v, batch, kvHeads, headDim)));
  return context.transpose([0, 2, 1, 3]).reshape([q.shape[0], heads * headDim]) as tf.Tensor2D;
}

/** 0 where position j may be attended from i (j ≤ i), a large negative number elsewhere: [T, T]. */
export function causalMask(length: number): tf.Tensor2D {
  return tf.tidy(() => tf.sub(1, tf.linalg.bandPart(tf.ones([length, length]), -1, 0)).mul(-1e9) as tf.Tensor2D);
}

/** 0 where j may be attended from i in a sliding window (i − window < j ≤ i, as transformers' sliding-window overlay), a large negative number elsewhere: [T, T]. */
export function slidingWindowMask(length: number, window: number): tf.Tensor2D {
  return tf.tidy(() => tf.sub(1, tf.linalg.bandPart(tf.ones([length, length]), window - 1, 0)).mul(-1e9) as tf.Tensor2D);
}

/**
 * Which layers attend through a sliding window, and their masks, made once per window length and
 * freed with the model. A layer slides when `layer_types` says so (transformers 5 writes it for
 * every family with sliding layers); older configs: Mistral's every layer when `sliding_window`
 * is set, Qwen2's layers from `max_window_layers` on when `use_sliding_window` is.
 */
export class SlidingWindows {
  private readonly sliding: boolean[];
  private readonly window: number;
  private readonly masks = new Map<number, tf.Tensor2D>();

  constructor(config: PretrainedConfig) {
    const raw = config.raw;
    this.window = typeof raw.sliding_window === 'number' ? raw.sliding_window : Infinity;
    const types = Array.isArray(raw.layer_types) ? raw.layer_types : undefined;
    this.sliding = Array.from({ length: config.layers }, (_, l) => {
      if (this.window === Infinity) return false;
      if (types) return types[l] === 'sliding_attention';
      if (config.modelType === 'mistral') return true;
      return raw.use_sliding_window === true && l >= Number(raw.max_window_layers ?? 0);
    });
  }

  /** The mask layer `layer` attends with over windows of `length` tokens: the causal one, unless it slides over fewer. */
  mask(layer: number, length: number, causal: tf.Tensor): tf.Tensor {
    if (!this.sliding[layer] || this.window >= length) return causal;
    let mask = this.masks.get(length);
    if (!mask) this.masks.set(length, (mask = tf.keep(slidingWindowMask(length, this.window))));
    return mask;
  }

  dispose(): void {
    for (const mask of this.masks.values()) mask.dispose();
    this.masks.clear();
  }
}

/** Padding mask for encoders: 0 for real tokens, a large negative number for padding, [B, 1, 1, T]. */
export function paddingMask(mask: Float32Array | undefined, batch: number, length: number): tf.Tensor {
  return mask ? tf.tensor4d(mask, [batch, 1, 1, length]).sub(1).mul(1e9) : tf.zeros([1, 1, 1, length]);
}
