import * as tf from '../../backend/tf';
import type { BlockOptions, ResidualStream } from '../../model/layeredModel';
import type { Batch } from '../../data/batch';
import { attend } from '../../model/groupedQueryAttention';
import { causalMask } from '../../model/attentionMasks';
import type { SlidingWindows } from '../../model/attentionMasks';
import { slidingWindows } from '../slidingLayers';
import { rmsNorm } from '../../model/norms';
import type { PretrainedConfig } from '../pretrainedConfig';
import type { PretrainedModel } from '../pretrainedModel';
import type { PretrainedWeights } from '../pretrainedWeights';
import { RotaryPositions } from '../../model/rope';
import { NATIVE_MODEL_TYPES } from '../nativeModelTypes';
import type { Family } from '../pretrainedModel';
import { moduleNames, noCardNotes, storedAsIs } from './familyModel';
import { activationOf, FamilyModel, type LmHead } from './familyModel';

const PROJECTIONS = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj'];
const NORMS = ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm'];

/**
 * Gemma 2 and Gemma 3 (text): the embedding scaled by √d; RMSNorm as x̂·(1 + w); a norm before and
 * after each sub-block; scores scaled by `query_pre_attn_scalar`^−½; sliding-window and global
 * layers from `layer_types`, Gemma 3's each with its own rope (`rope_parameters` per layer type:
 * the local base and the global one with its scaling); Gemma 2's soft-capping of attention scores
 * and of the final logits; Gemma 3's per-head q/k norms.
 */
export class GemmaModel extends FamilyModel implements PretrainedModel {
  readonly family: Family = GEMMA;
  readonly objective = 'causal-lm';
  readonly layerPrefix = 'model.layers.';
  readonly maxPositions: number;
  private readonly d: number;
  private readonly heads: number;
  private readonly kvHeads: number;
  private readonly headDim: number;
  private readonly eps: number;
  private readonly scale: number;
  private readonly attentionCap?: number;
  private readonly logitCap?: number;
  private readonly qkNorm: boolean;
  private readonly layerTypes: string[];
  private readonly rotary: Map<string, RotaryPositions>;
  private readonly windows: SlidingWindows;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;
  protected readonly headTableName: string;

  constructor(config: PretrainedConfig, weights: PretrainedWeights) {
    super(config, weights);
    const d = (this.d = config.number('hidden_size'));
    this.heads = config.number('num_attention_heads');
    this.kvHeads = config.number('num_key_value_heads', this.heads);
    this.headDim = config.number('head_dim', d / this.heads);
    this.eps = config.number('rms_norm_eps', 1e-6);
    this.scale = config.number('query_pre_attn_scalar') ** -0.5;
    const cap = (key: string) => (typeof config.raw[key] === 'number' ? (config.raw[key] as number) : undefined);
    this.attentionCap = cap('attn_logit_softcapping');
    this.logitCap = cap('final_logit_softcapping');
    this.qkNorm = config.modelType === 'gemma3_text';
    this.maxPositions = config.number('max_position_embeddings');
    this.layerTypes = Array.isArray(config.raw.layer_types) ? (config.raw.layer_types as string[]) : new Array(this.layers).fill('full_attention');
    this.windows = slidingWindows(config, () => false);
    // Gemma 3 nests rope_parameters by layer type; Gemma 2 has one set for every layer.
    const parameters = config.raw.rope_parameters as Record<string, unknown> | undefined;
    const nested = parameters !== undefined && typeof parameters.sliding_attention === 'object';
    this.rotary = new Map(
      [...new Set(this.layerTypes)].map((type) => [type, new RotaryPositions(nested ? { ...config, raw: { ...config.raw, rope_parameters: parameters![type] } } : config, this.headDim)]),
    );
    this.activation = activationOf(config, 'hidden_activation', 'gelu_pytorch_tanh');
    const vocab = config.number('vocab_size');
    const ffn = config.number('intermediate_size');
    weights.loadTable('model.embed_tokens.weight', vocab, d);
    weights.load('model.norm.weight', [d]);
    this.headTableName = config.raw.tie_word_embeddings === false && weights.has('lm_head.weight') ? 'lm_head.weight' : 'model.embed_tokens.weight';
    if (this.headTableName === 'lm_head.weight') weights.loadTable('lm_head.weight', vocab, d);
    const q = this.heads * this.headDim;
    const kv = this.kvHeads * this.headDim;
    const sizes: Record<string, [number, number]> = {
      'self_attn.q_proj': [d, q], 'self_attn.k_proj': [d, kv], 'self_attn.v_proj': [d, kv], 'self_attn.o_proj': [q, d],
      'mlp.gate_proj': [d, ffn], 'mlp.up_proj': [d, ffn], 'mlp.down_proj': [ffn, d],
    };
    for (let layer = 0; layer < this.layers; layer++) {
      for (const norm of NORMS) weights.load(this.name(layer, `${norm}.weight`), [d]);
      if (this.qkNorm) for (const norm of ['q_norm', 'k_norm']) weights.load(this.name(layer, `self_attn.${norm}.weight`), [this.headDim]);
      for (const projection of PROJECTIONS) {
        const [inputs, outputs] = sizes[projection];
        this.loadLinear(layer, projection, inputs, outputs);
      }
    }
  }


  /** Gemma's RMSNorm: x / √(mean(x²) + eps) · (1 + w). */
  private norm(x: tf.Tensor2D, weight: string): tf.Tensor2D {
    return rmsNorm(x, this.p(weight).add(1), this.eps);
  }


  embed(batch: Batch): ResidualStream {
    const x = this.table('model.embed_tokens.weight').lookup(batch.inputs).mul(Math.sqrt(this.d)) as tf.Tensor2D;
    return { x, batch, additiveMask: causalMask(batch.length) };
  }

  block(stream: ResidualStream, layer: number, options: BlockOptions = { training: false }): tf.Tensor2D {
    const x = stream.x;
    const mid = options.skip === 'attention' ? x : (x.add(this.attention(stream, layer)) as tf.Tensor2D);
    if (options.skip === 'mlp') return mid;
    const h = this.norm(mid, this.name(layer, 'pre_feedforward_layernorm.weight'));
    const gated = this.activation(this.project(layer, 'mlp.gate_proj', h)).mul(this.project(layer, 'mlp.up_proj', h)) as tf.Tensor2D;
    return mid.add(this.norm(this.project(layer, 'mlp.down_proj', gated), this.name(layer, 'post_feedforward_layernorm.weight'))) as tf.Tensor2D;
  }

  /** The attention branch, normed before and after as Gemma 2 and 3 do. */
  private attention(stream: ResidualStream, layer: number): tf.Tensor2D {
    const x = stream.x;
    const T = stream.batch.length;
    const normed = this.norm(x, this.name(layer, 'input_layernorm.weight'));
    let [q, k] = ['self_attn.q_proj', 'self_attn.k_proj'].map((projection) => this.project(layer, projection, normed));
    if (this.qkNorm) {
      const perHead = (value: tf.Tensor2D, which: string) => this.norm(value.reshape([-1, this.headDim]) as tf.Tensor2D, this.name(layer, `self_attn.${which}.weight`)).reshape(value.shape) as tf.Tensor2D;
      [q, k] = [perHead(q, 'q_norm'), perHead(k, 'k_norm')];
    }
    const v = this.project(layer, 'self_attn.v_proj', normed);
    const shape = { batch: stream.batch.size, heads: this.heads, kvHeads: this.kvHeads, headDim: this.headDim, scale: this.scale, softcap: this.attentionCap };
    const rotate = this.rotary.get(this.layerTypes[layer])!.embedding(T);
    const context = attend(q, k, v, shape, this.windows.mask(layer, T, stream.additiveMask), rotate);
    return this.norm(this.project(layer, 'self_attn.o_proj', context), this.name(layer, 'post_attention_layernorm.weight'));
  }

  protected head(x: tf.Tensor2D): LmHead {
    return { input: this.norm(x, 'model.norm.weight'), softcap: this.logitCap };
  }

  dispose(): void {
    this.windows.dispose();
    super.dispose();
  }
}

export const GEMMA: Family = {
  name: 'gemma',
  modelTypes: NATIVE_MODEL_TYPES.gemma,
  basePrefix: () => 'model.',
  open: (config, weights) => new GemmaModel(config, weights),
  lora: () => ({ modules: moduleNames(PROJECTIONS), fanInFanOut: false }),
  exportTensor: storedAsIs,
  cardNotes: noCardNotes,
};
