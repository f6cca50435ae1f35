import * as tf from '../backend/tf';
import { UserError } from '../errors';
import type { PretrainedConfig } from './pretrainedConfig';

/**
 * Rotary position embeddings as the Llama family computes them: inverse frequencies
 * 1/θ^(2i/d), adjusted by the config's `rope_type` (`default`, `linear`, `llama3`), then
 * q·cos + rotate_half(q)·sin with the two halves of each head rotated together.
 * transformers 5 writes `rope_parameters`; older configs write `rope_theta` and `rope_scaling`.
 */
export function inverseFrequencies(config: PretrainedConfig, headDim: number): Float32Array {
  const parameters = { rope_theta: config.raw.rope_theta, ...((config.raw.rope_scaling as object) ?? {}), ...((config.raw.rope_parameters as object) ?? {}) } as Record<string, unknown>;
  const theta = Number(parameters.rope_theta ?? 10000);
  const type = String(parameters.rope_type ?? parameters.type ?? 'default');
  const base = Float32Array.from({ length: headDim / 2 }, (_, i) => 1 / theta ** ((2 * i) / headDim));
  if (type === 'default') return base;
  const factor = Number(parameters.factor);
  if (type === 'linear') return base.map((f) => f / factor);
  if (type === 'llama3') {
    const low = Number(parameters.low_freq_factor);
    const high = Number(parameters.high_freq_factor);
    const context = Number(parameters.original_max_position_embeddings);
    return base.map((f) => {
      const wavelength = (2 * Math.PI) / f;
      if (wavelength < context / high) return f;
      if (wavelength > context / low) return f / factor;
      const smooth = (context / wavelength - low) / (high - low);
      return (1 - smooth) * (f / factor) + smooth * f;
    });
  }
  throw new UserError(`${config.file}: rope type "${type}" is not one DepthLab implements (default, linear, llama3)`);
}

/**
 * How many of a head's channels rotate: all of them, or the config's `partial_rotary_factor`
 * (Phi-4-mini 0.75; GPT-NeoX's `rotary_pct`, Pythia 0.25), the rest passing through.
 */
export function rotaryDim(config: PretrainedConfig, headDim: number): number {
  const parameters = (config.raw.rope_parameters as Record<string, unknown> | undefined) ?? {};
  const factor = Number(parameters.partial_rotary_factor ?? config.raw.partial_rotary_factor ?? config.raw.rotary_pct ?? 1);
  if (!(factor > 0 && factor <= 1)) throw new UserError(`${config.file}: "partial_rotary_factor" must be in (0, 1], not ${factor}`);
  return Math.floor(headDim * factor);
}

/** The rotation for positions 0…length−1: applies to q or k in head layout [B, heads, T, headDim], to the first 2·inverse.length channels of each head. */
export function rotaryEmbedding(inverse: Float32Array, length: number): (x: tf.Tensor4D) => tf.Tensor4D {
  const half = inverse.length;
  const angles = new Float32Array(length * 2 * half);
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < half; i++) angles[t * 2 * half + i] = angles[t * 2 * half + half + i] = Math.fround(t * inverse[i]);
  }
  const table = tf.tensor2d(angles, [length, 2 * half]);
  const cos = tf.cos(table);
  const sin = tf.sin(table);
  const rotate = (x: tf.Tensor4D) => {
    const [first, second] = tf.split(x, 2, 3);
    return x.mul(cos).add(tf.concat([second.neg(), first], 3).mul(sin)) as tf.Tensor4D;
  };
  return (x) => {
    const passing = x.shape[3] - 2 * half;
    if (passing === 0) return rotate(x);
    const [rotated, rest] = tf.split(x, [2 * half, passing], 3);
    return tf.concat([rotate(rotated as tf.Tensor4D), rest], 3) as tf.Tensor4D;
  };
}
