import * as tf from '../../backend/tf';
import type { BlockOptions, ResidualStream } from '../../model/layeredModel';
import type { Batch } from '../../data/batch';
import { attend } from '../../model/groupedQueryAttention';
import { causalMask } from '../../model/attentionMasks';
import { layerNormWithEps } from '../../model/norms';
import type { PretrainedConfig } from '../pretrainedConfig';
import type { PretrainedModel } from '../pretrainedModel';
import type { PretrainedWeights } from '../pretrainedWeights';
import { RotaryPositions } from '../../model/rope';
import { NATIVE_MODEL_TYPES } from '../nativeModelTypes';
import type { Family } from '../pretrainedModel';
import { moduleNames, noCardNotes, storedAsIs } from './familyModel';
import { activationOf, FamilyModel, type LmHead } from './familyModel';

/** A layer's linear maps. */
const LINEARS = ['attention.query_key_value', 'attention.dense', 'mlp.dense_h_to_4h', 'mlp.dense_4h_to_h'] as const;

/**
 * GPT-NeoX (Pythia, GPT-NeoX-20B): LayerNorm before attention and feed-forward, one fused
 * query_key_value projection laid out head by head ([q, k, v] of each head in turn), rotary
 * positions on the first `rotary_pct` of each head's channels, and the parallel residual
 * x + attn(ln₁(x)) + mlp(ln₂(x)) (or the sequential one when `use_parallel_residual` is false).
 */
export class GptNeoxModel extends FamilyModel implements PretrainedModel {
  readonly family: Family = GPT_NEOX;
  readonly objective = 'causal-lm';
  readonly layerPrefix = 'gpt_neox.layers.';
  readonly maxPositions: number;
  private readonly d: number;
  private readonly heads: number;
  private readonly headDim: number;
  private readonly eps: number;
  private readonly parallel: boolean;
  private readonly rotary: RotaryPositions;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;

  constructor(config: PretrainedConfig, weights: PretrainedWeights) {
    super(config, weights);
    const d = (this.d = config.number('hidden_size'));
    this.heads = config.number('num_attention_heads');
    this.headDim = d / this.heads;
    this.eps = config.number('layer_norm_eps', 1e-5);
    this.parallel = config.raw.use_parallel_residual !== false;
    this.maxPositions = config.number('max_position_embeddings');
    this.rotary = new RotaryPositions(config, this.headDim);
    this.activation = activationOf(config, 'hidden_act', 'gelu');
    const vocab = config.number('vocab_size');
    const ffn = config.number('intermediate_size');
    weights.loadTable('gpt_neox.embed_in.weight', vocab, d);
    weights.loadTable('embed_out.weight', vocab, d);
    for (const part of ['weight', 'bias']) weights.load(`gpt_neox.final_layer_norm.${part}`, [d]);
    const sizes: Array<[number, number]> = [[d, 3 * d], [d, d], [d, ffn], [ffn, d]];
    for (let layer = 0; layer < this.layers; layer++) {
      for (const norm of ['input_layernorm', 'post_attention_layernorm']) for (const part of ['weight', 'bias']) weights.load(this.name(layer, `${norm}.${part}`), [d]);
      LINEARS.forEach((name, i) => this.loadLinear(layer, name, ...sizes[i]));
    }
  }




  embed(batch: Batch): ResidualStream {
    return { x: this.table('gpt_neox.embed_in.weight').lookup(batch.inputs), batch, additiveMask: causalMask(batch.length) };
  }

  block(stream: ResidualStream, layer: number, options: BlockOptions = { training: false }): tf.Tensor2D {
    const x = stream.x;
    const mlp = (input: tf.Tensor2D) => this.project(layer, 'mlp.dense_4h_to_h', this.activation(this.project(layer, 'mlp.dense_h_to_4h', this.layerNorm(layer, 'post_attention_layernorm', input, this.eps))) as tf.Tensor2D);
    const mid = options.skip === 'attention' ? x : (x.add(this.attention(stream, layer)) as tf.Tensor2D);
    if (options.skip === 'mlp') return mid;
    // Parallel residual: both branches read the layer's input.
    return mid.add(mlp(this.parallel ? x : mid)) as tf.Tensor2D;
  }

  private attention(stream: ResidualStream, layer: number): tf.Tensor2D {
    const x = stream.x;
    const rows = x.shape[0];
    // [rows, heads, 3, headDim]: each head's q, k and v side by side.
    const qkv = this.project(layer, 'attention.query_key_value', this.layerNorm(layer, 'input_layernorm', x, this.eps)).reshape([rows, this.heads, 3, this.headDim]);
    const [q, k, v] = tf.split(qkv, 3, 2).map((part) => part.reshape([rows, this.d]) as tf.Tensor2D);
    const shape = { batch: stream.batch.size, heads: this.heads, kvHeads: this.heads, headDim: this.headDim, scale: 1 / Math.sqrt(this.headDim) };
    return this.project(layer, 'attention.dense', attend(q, k, v, shape, stream.additiveMask, this.rotary.embedding(stream.batch.length)));
  }

  protected readonly headTableName = 'embed_out.weight';

  protected head(x: tf.Tensor2D): LmHead {
    return { input: layerNormWithEps(x, this.p('gpt_neox.final_layer_norm.weight'), this.p('gpt_neox.final_layer_norm.bias'), this.eps) };
  }
}

export const GPT_NEOX: Family = {
  name: 'gptNeox',
  modelTypes: NATIVE_MODEL_TYPES.gptNeox,
  basePrefix: () => 'gpt_neox.',
  open: (config, weights) => new GptNeoxModel(config, weights),
  lora: () => ({ modules: moduleNames(LINEARS), fanInFanOut: false }),
  exportTensor: storedAsIs,
  cardNotes: noCardNotes,
};
