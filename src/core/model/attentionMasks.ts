import * as tf from '../backend/tf';

/** 0 where position j may be attended from i (j ≤ i), a large negative number elsewhere: [T, T]. */
export function causalMask(length: number): tf.Tensor2D {
  return tf.tidy(() => tf.sub(1, tf.linalg.bandPart(tf.ones([length, length]), -1, 0)).mul(-1e9) as tf.Tensor2D);
}

/** 0 where j may be attended from i in a sliding window (i − window < j ≤ i, as transformers' sliding-window overlay), a large negative number elsewhere: [T, T]. */
export function slidingWindowMask(length: number, window: number): tf.Tensor2D {
  return tf.tidy(() => tf.sub(1, tf.linalg.bandPart(tf.ones([length, length]), window - 1, 0)).mul(-1e9) as tf.Tensor2D);
}

/**
 * The sliding-window masks of the layers that slide (`sliding[l]`, a window of `window` tokens),
 * made once per window length and freed with the model. Which layers slide is the family's to say
 * (huggingface/slidingLayers.ts reads it from a config).
 */
export class SlidingWindows {
  private readonly masks = new Map<number, tf.Tensor2D>();

  constructor(
    private readonly window: number,
    private readonly sliding: readonly boolean[],
  ) {}

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
