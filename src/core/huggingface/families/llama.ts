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
import { NATIVE_MODEL_TYPES } from '../nativeModelTypes';
import type { Family } from '../pretrainedModel';
import { moduleNames, noCardNotes, storedAsIs } from './familyModel';
import { activationOf, FamilyModel, type LmHead } from './familyModel';
import { RotaryPositions } from '../../model/rope';

/** A projection's output size and the names it is stored under (Phi-3 fuses q, k, v and gate, up). */
type Projection = 'q' | 'k' | 'v' | 'o' | 'gate' | 'up' | 'down';
const SEPARATE: Record<Projection, string> = {
  q: 'self_attn.q_proj', k: 'self_attn.k_proj', v: 'self_attn.v_proj', o: 'self_attn.o_proj', gate: 'mlp.gate_proj', up: 'mlp.up_proj', down: 'mlp.down_proj',
};
/** Phi-3's fused projections, and the two it keeps apart. */
const FUSED = { qkv: 'self_attn.qkv_proj', o: SEPARATE.o, gateUp: 'mlp.gate_up_proj', down: SEPARATE.down };
/** Phi-3 fuses q, k, v and gate, up. */
const fuses = (config: PretrainedConfig) => config.modelType === 'phi3';

/**
 * The Llama family and its close kin, each as transformers computes it: RMSNorm, rotary positions
 * (partial where the config says), grouped-query attention, SwiGLU feed-forward; q/k/v biases
 * where the checkpoint has them (Qwen2); q/k RMSNorm per head (Qwen3) or over all heads with the
 * norms after each sub-block instead of before (OLMo 2); fused qkv and gate_up projections (Phi-3,
 * Phi-4-mini); an LM head of its own or tied to the embedding.
 */
export class LlamaModel extends FamilyModel implements PretrainedModel {
  readonly family: Family = LLAMA;
  readonly objective = 'causal-lm';
  readonly layerPrefix = 'model.layers.';
  readonly maxPositions: number;
  private readonly heads: number;
  private readonly kvHeads: number;
  private readonly headDim: number;
  private readonly eps: number;
  private readonly rotary: RotaryPositions;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;
  protected readonly headTableName: string;
  /** Qwen3 normalises q and k per head, OLMo 2 across all heads. */
  private readonly qkNorm?: 'per-head' | 'all-heads';
  /** OLMo 2: each sub-block's output is normalised before the residual add, its input is not. */
  private readonly normsAfter: boolean;
  private readonly fused: boolean;
  private readonly windows: SlidingWindows;

  constructor(config: PretrainedConfig, weights: PretrainedWeights) {
    super(config, weights);
    const d = config.number('hidden_size');
    this.heads = config.number('num_attention_heads');
    this.kvHeads = config.number('num_key_value_heads', this.heads);
    this.headDim = config.number('head_dim', d / this.heads);
    this.eps = config.number('rms_norm_eps', 1e-6);
    this.qkNorm = config.modelType === 'qwen3' ? 'per-head' : config.modelType === 'olmo2' ? 'all-heads' : undefined;
    this.normsAfter = config.modelType === 'olmo2';
    this.fused = fuses(config);
    this.maxPositions = config.number('max_position_embeddings');
    this.windows = slidingWindows(config, (layer) => config.modelType === 'mistral' || (config.raw.use_sliding_window === true && layer >= Number(config.raw.max_window_layers ?? 0)));
    this.rotary = new RotaryPositions(config, this.headDim);
    this.activation = activationOf(config, 'hidden_act', 'silu');
    const vocab = config.number('vocab_size');
    const ffn = config.number('intermediate_size');
    weights.loadTable('model.embed_tokens.weight', vocab, d);
    weights.load('model.norm.weight', [d]);
    this.headTableName = config.raw.tie_word_embeddings === true || !weights.has('lm_head.weight') ? 'model.embed_tokens.weight' : 'lm_head.weight';
    if (this.headTableName === 'lm_head.weight') weights.loadTable('lm_head.weight', vocab, d);
    const q = this.heads * this.headDim;
    const kv = this.kvHeads * this.headDim;
    const sizes: Array<[string, number, number]> = this.fused
      ? [[FUSED.qkv, d, q + 2 * kv], [FUSED.o, q, d], [FUSED.gateUp, d, 2 * ffn], [FUSED.down, ffn, d]]
      : [[SEPARATE.q, d, q], [SEPARATE.k, d, kv], [SEPARATE.v, d, kv], [SEPARATE.o, q, d], [SEPARATE.gate, d, ffn], [SEPARATE.up, d, ffn], [SEPARATE.down, ffn, d]];
    const norms = this.normsAfter ? ['post_attention_layernorm', 'post_feedforward_layernorm'] : ['input_layernorm', 'post_attention_layernorm'];
    for (let layer = 0; layer < this.layers; layer++) {
      for (const norm of norms) weights.load(this.name(layer, `${norm}.weight`), [d]);
      if (this.qkNorm) {
        weights.load(this.name(layer, 'self_attn.q_norm.weight'), [this.qkNorm === 'per-head' ? this.headDim : q]);
        weights.load(this.name(layer, 'self_attn.k_norm.weight'), [this.qkNorm === 'per-head' ? this.headDim : kv]);
      }
      for (const [projection, inputs, outputs] of sizes) {
        this.loadLinear(layer, projection, inputs, outputs);
      }
    }
  }


  embed(batch: Batch): ResidualStream {
    const x = this.table('model.embed_tokens.weight').lookup(batch.inputs);
    return { x, batch, additiveMask: causalMask(batch.length) };
  }


  /** The attention branch: its output as added to the stream (OLMo 2: normed after). */
  private attention(stream: ResidualStream, layer: number): tf.Tensor2D {
    const x = stream.x;
    const norm = (name: string, value: tf.Tensor2D) => rmsNorm(value, this.p(this.name(layer, `${name}.weight`)), this.eps);
    const [q, k, v] = this.queryKeyValue(layer, this.normsAfter ? x : norm('input_layernorm', x));
    const shape = { batch: stream.batch.size, heads: this.heads, kvHeads: this.kvHeads, headDim: this.headDim, scale: 1 / Math.sqrt(this.headDim) };
    const mask = this.windows.mask(layer, stream.batch.length, stream.additiveMask);
    const context = attend(this.normed(layer, 'q', q), this.normed(layer, 'k', k), v, shape, mask, this.rotary.embedding(stream.batch.length));
    const attended = this.project(layer, SEPARATE.o, context);
    return this.normsAfter ? norm('post_attention_layernorm', attended) : attended;
  }

  /** q, k and v, from one fused projection or three. */
  private queryKeyValue(layer: number, x: tf.Tensor2D): tf.Tensor2D[] {
    if (!this.fused) return [SEPARATE.q, SEPARATE.k, SEPARATE.v].map((projection) => this.project(layer, projection, x));
    const q = this.heads * this.headDim;
    const kv = this.kvHeads * this.headDim;
    return tf.split(this.project(layer, FUSED.qkv, x), [q, kv, kv], 1) as tf.Tensor2D[];
  }

  /** Qwen3's and OLMo 2's RMSNorm of q or k: over each head's channels, or over all of them. */
  private normed(layer: number, which: 'q' | 'k', x: tf.Tensor2D): tf.Tensor2D {
    if (!this.qkNorm) return x;
    const weight = this.p(this.name(layer, `self_attn.${which}_norm.weight`));
    if (this.qkNorm === 'all-heads') return rmsNorm(x, weight, this.eps);
    return rmsNorm(x.reshape([-1, this.headDim]) as tf.Tensor2D, weight, this.eps).reshape(x.shape) as tf.Tensor2D;
  }

  private feedForward(layer: number, x: tf.Tensor2D): tf.Tensor2D {
    const ffn = this.fused ? tf.split(this.project(layer, FUSED.gateUp, x), 2, 1) : [this.project(layer, SEPARATE.gate, x), this.project(layer, SEPARATE.up, x)];
    return this.project(layer, SEPARATE.down, this.activation(ffn[0]).mul(ffn[1]) as tf.Tensor2D);
  }

  block(stream: ResidualStream, layer: number, options: BlockOptions = { training: false }): tf.Tensor2D {
    const x = stream.x;
    const norm = (name: string, value: tf.Tensor2D) => rmsNorm(value, this.p(this.name(layer, `${name}.weight`)), this.eps);
    const mid = options.skip === 'attention' ? x : (x.add(this.attention(stream, layer)) as tf.Tensor2D);
    if (options.skip === 'mlp') return mid;
    if (this.normsAfter) return mid.add(norm('post_feedforward_layernorm', this.feedForward(layer, mid))) as tf.Tensor2D;
    return mid.add(this.feedForward(layer, norm('post_attention_layernorm', mid))) as tf.Tensor2D;
  }

  dispose(): void {
    this.windows.dispose();
    super.dispose();
  }

  protected head(x: tf.Tensor2D): LmHead {
    return { input: rmsNorm(x, this.p('model.norm.weight'), this.eps) };
  }
}

export const LLAMA: Family = {
  name: 'llama',
  modelTypes: NATIVE_MODEL_TYPES.llama,
  basePrefix: () => 'model.',
  open: (config, weights) => new LlamaModel(config, weights),
  lora: (config) => ({ modules: moduleNames(Object.values(fuses(config) ? FUSED : SEPARATE)), fanInFanOut: false }),
  exportTensor: storedAsIs,
  cardNotes: noCardNotes,
};
