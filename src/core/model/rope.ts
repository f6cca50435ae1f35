import * as tf from '../backend/tf';
import { UserError } from '../errors';

/** What rotary positions read of a Hugging Face config: its values, a number by key, and the file to name in errors. */
export interface RopeConfig {
  file: string;
  raw: Record<string, unknown>;
  number(key: string, fallback?: number): number;
}

/** The rope settings of a config: transformers 5's `rope_parameters`, or older configs' `rope_theta` and `rope_scaling`. */
function ropeParameters(config: RopeConfig): Record<string, unknown> {
  return {
    rope_theta: config.raw.rope_theta,
    original_max_position_embeddings: config.raw.original_max_position_embeddings,
    ...((config.raw.rope_scaling as object) ?? {}),
    ...((config.raw.rope_parameters as object) ?? {}),
  } as Record<string, unknown>;
}

/**
 * Inverse frequencies 1/θ^(2i/d) for the `dim` rotated channels, adjusted by the config's
 * `rope_type`: `default`, `linear`, `llama3`, or `longrope` (Phi-3's long-context models: each
 * frequency divided by its short factor, or by its long factor once a window is longer than the
 * original context, as transformers switches).
 */
function inverseFrequencies(config: RopeConfig, dim: number, length: number): Float32Array {
  const parameters = ropeParameters(config);
  const theta = Number(parameters.rope_theta ?? 10000);
  const type = String(parameters.rope_type ?? parameters.type ?? 'default');
  const base = Float32Array.from({ length: dim / 2 }, (_, i) => 1 / theta ** ((2 * i) / dim));
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
  if (type === 'longrope' || type === 'su') {
    const factors = (length > Number(parameters.original_max_position_embeddings) ? parameters.long_factor : parameters.short_factor) as number[] | undefined;
    if (!Array.isArray(factors) || factors.length !== dim / 2) throw new UserError(`${config.file}: longrope needs "short_factor" and "long_factor" lists of ${dim / 2} numbers`);
    return Float32Array.from({ length: dim / 2 }, (_, i) => 1 / (factors[i] * theta ** ((2 * i) / dim)));
  }
  throw new UserError(`${config.file}: rope type "${type}" is not one DepthLab implements (default, linear, llama3, longrope)`);
}

/** longrope's scaling of cos and sin: the config's `attention_factor`, else √(1 + ln s / ln L) for s = max positions / original L. */
function attentionScaling(config: RopeConfig): number {
  const parameters = ropeParameters(config);
  const type = String(parameters.rope_type ?? parameters.type ?? 'default');
  if (type !== 'longrope' && type !== 'su') return 1;
  if (typeof parameters.attention_factor === 'number') return parameters.attention_factor;
  const original = Number(parameters.original_max_position_embeddings);
  const factor = Number(parameters.factor ?? config.number('max_position_embeddings') / original);
  return factor <= 1 ? 1 : Math.sqrt(1 + Math.log(factor) / Math.log(original));
}

/** A model's rotary positions: the rotation for windows of each length (longrope's frequencies depend on it). */
export class RotaryPositions {
  private readonly scaling: number;
  private readonly dim: number;

  constructor(
    private readonly config: RopeConfig,
    headDim: number,
  ) {
    this.dim = rotaryDim(config, headDim);
    this.scaling = attentionScaling(config);
    // An unsupported rope type is refused when the model opens, not at its first window.
    inverseFrequencies(config, this.dim, 0);
  }

  /** The rotation of q or k in head layout for positions 0…length−1. */
  embedding(length: number): (x: tf.Tensor4D) => tf.Tensor4D {
    return rotaryEmbedding(inverseFrequencies(this.config, this.dim, length), length, this.scaling);
  }
}

/**
 * How many of a head's channels rotate: all of them, or the config's `partial_rotary_factor`
 * (Phi-4-mini 0.75; GPT-NeoX's `rotary_pct`, Pythia 0.25), the rest passing through.
 */
function rotaryDim(config: RopeConfig, headDim: number): number {
  const parameters = (config.raw.rope_parameters as Record<string, unknown> | undefined) ?? {};
  const factor = Number(parameters.partial_rotary_factor ?? config.raw.partial_rotary_factor ?? config.raw.rotary_pct ?? 1);
  if (!(factor > 0 && factor <= 1)) throw new UserError(`${config.file}: "partial_rotary_factor" must be in (0, 1], not ${factor}`);
  return Math.floor(headDim * factor);
}

/** The rotation for positions 0…length−1: applies to q or k in head layout [B, heads, T, headDim], to the first 2·inverse.length channels of each head, cos and sin scaled by `scaling`. */
function rotaryEmbedding(inverse: Float32Array, length: number, scaling: number): (x: tf.Tensor4D) => tf.Tensor4D {
  const half = inverse.length;
  const angles = new Float32Array(length * 2 * half);
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < half; i++) angles[t * 2 * half + i] = angles[t * 2 * half + half + i] = Math.fround(t * inverse[i]);
  }
  const table = tf.tensor2d(angles, [length, 2 * half]);
  const cos = scaling === 1 ? tf.cos(table) : tf.cos(table).mul(scaling);
  const sin = scaling === 1 ? tf.sin(table) : tf.sin(table).mul(scaling);
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
