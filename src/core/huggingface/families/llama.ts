import * as tf from '../../backend/tf';
import { linear } from '../../ops/linear';
import type { Batch, BatchResult, ResidualStream } from '../../model/layeredModel';
import { attend, causalMask } from '../attention';
import { rmsNorm } from '../norms';
import type { PretrainedConfig } from '../pretrainedConfig';
import type { PretrainedModel } from '../pretrainedModel';
import type { PretrainedWeights } from '../pretrainedWeights';
import { activationOf, FamilyModel } from './familyModel';
import { inverseFrequencies, rotaryEmbedding } from '../rope';

const PROJECTIONS = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj'];

/**
 * The Llama family (llama, mistral, qwen2, SmolLM): RMSNorm, rotary positions, grouped-query
 * attention, SwiGLU feed-forward; q/k/v biases where the checkpoint has them (Qwen2); an LM head
 * of its own or tied to the embedding.
 */
export class LlamaModel extends FamilyModel implements PretrainedModel {
  readonly objective = 'causal-lm';
  readonly layerPrefix = 'model.layers.';
  readonly maxPositions: number;
  private readonly heads: number;
  private readonly kvHeads: number;
  private readonly headDim: number;
  private readonly eps: number;
  private readonly inverse: Float32Array;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;
  private readonly head: string;

  constructor(config: PretrainedConfig, weights: PretrainedWeights) {
    super(config, weights);
    const d = config.number('hidden_size');
    this.heads = config.number('num_attention_heads');
    this.kvHeads = config.number('num_key_value_heads', this.heads);
    this.headDim = config.number('head_dim', d / this.heads);
    this.eps = config.number('rms_norm_eps', 1e-6);
    // Sliding-window layers (Mistral; Qwen2 with use_sliding_window) attend as full ones up to the window.
    const sliding = typeof config.raw.sliding_window === 'number' && (config.modelType === 'mistral' || config.raw.use_sliding_window === true);
    this.maxPositions = Math.min(config.number('max_position_embeddings'), sliding ? (config.raw.sliding_window as number) : Infinity);
    this.inverse = inverseFrequencies(config, this.headDim);
    this.activation = activationOf(config, 'hidden_act', 'silu');
    const vocab = config.number('vocab_size');
    const ffn = config.number('intermediate_size');
    weights.loadTable('model.embed_tokens.weight', vocab, d);
    weights.load('model.norm.weight', [d]);
    this.head = config.raw.tie_word_embeddings === true || !weights.has('lm_head.weight') ? 'model.embed_tokens.weight' : 'lm_head.weight';
    if (this.head === 'lm_head.weight') weights.loadTable('lm_head.weight', vocab, d);
    const q = this.heads * this.headDim;
    const kv = this.kvHeads * this.headDim;
    const sizes: Record<string, [number, number]> = {
      'self_attn.q_proj': [d, q], 'self_attn.k_proj': [d, kv], 'self_attn.v_proj': [d, kv], 'self_attn.o_proj': [q, d],
      'mlp.gate_proj': [d, ffn], 'mlp.up_proj': [d, ffn], 'mlp.down_proj': [ffn, d],
    };
    for (let layer = 0; layer < this.layers; layer++) {
      weights.load(this.name(layer, 'input_layernorm.weight'), [d]);
      weights.load(this.name(layer, 'post_attention_layernorm.weight'), [d]);
      for (const projection of PROJECTIONS) {
        const [inputs, outputs] = sizes[projection];
        weights.linear(this.name(layer, `${projection}.weight`), inputs, outputs);
        if (weights.has(this.name(layer, `${projection}.bias`))) weights.load(this.name(layer, `${projection}.bias`), [outputs]);
      }
    }
  }

  private name(layer: number, suffix: string): string {
    return `${this.layerPrefix}${layer}.${suffix}`;
  }

  embed(batch: Batch): ResidualStream {
    const x = this.table('model.embed_tokens.weight').lookup(batch.inputs);
    return { x, batch, additiveMask: causalMask(batch.length) };
  }

  private project(layer: number, projection: string, x: tf.Tensor2D): tf.Tensor2D {
    const bias = this.weights.get(this.name(layer, `${projection}.bias`)) as tf.Tensor1D | undefined;
    return linear(x, this.p(this.name(layer, `${projection}.weight`)) as tf.Tensor2D, bias);
  }

  block(stream: ResidualStream, layer: number): tf.Tensor2D {
    const x = stream.x;
    const normed = rmsNorm(x, this.p(this.name(layer, 'input_layernorm.weight')), this.eps);
    const [q, k, v] = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj'].map((projection) => this.project(layer, projection, normed));
    const shape = { batch: stream.batch.size, heads: this.heads, kvHeads: this.kvHeads, headDim: this.headDim, scale: 1 / Math.sqrt(this.headDim) };
    const context = attend(q, k, v, shape, stream.additiveMask, rotaryEmbedding(this.inverse, stream.batch.length));
    const mid = x.add(this.project(layer, 'self_attn.o_proj', context)) as tf.Tensor2D;
    const h = rmsNorm(mid, this.p(this.name(layer, 'post_attention_layernorm.weight')), this.eps);
    const gated = this.activation(this.project(layer, 'mlp.gate_proj', h)).mul(this.project(layer, 'mlp.up_proj', h)) as tf.Tensor2D;
    return mid.add(this.project(layer, 'mlp.down_proj', gated)) as tf.Tensor2D;
  }

  logits(x: tf.Tensor2D): tf.Tensor2D {
    return this.table(this.head).transposedProduct(rmsNorm(x, this.p('model.norm.weight'), this.eps));
  }

  readout(x: tf.Tensor2D, batch: Batch): BatchResult {
    return { loss: this.table(this.head).crossEntropy(rmsNorm(x, this.p('model.norm.weight'), this.eps), batch.targets), count: batch.size * batch.length };
  }
}
