import * as tf from '../../backend/tf';
import { UserError } from '../../errors';
import type { BlockOptions, ResidualStream } from '../../model/layeredModel';
import type { Batch } from '../../data/batch';
import { attend } from '../../model/groupedQueryAttention';
import { causalMask } from '../../model/attentionMasks';
import { layerNormWithEps } from '../../model/norms';
import type { PretrainedConfig } from '../pretrainedConfig';
import type { PretrainedModel } from '../pretrainedModel';
import type { PretrainedWeights } from '../pretrainedWeights';
import { NATIVE_MODEL_TYPES } from '../nativeModelTypes';
import type { Family } from '../pretrainedModel';
import { moduleNames, noCardNotes, storedAsIs } from './familyModel';
import { activationOf, FamilyModel, type LmHead } from './familyModel';

/** A layer's linear maps. */
const LINEARS = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.out_proj', 'fc1', 'fc2'] as const;

/** OPT's LayerNorms are nn.LayerNorm's default. */
const OPT_LAYER_NORM_EPS = 1e-5;
/** OPT's learned positions start at row 2 of their table (a fairseq legacy, kept by transformers). */
const POSITION_OFFSET = 2;

/**
 * OPT (Meta's OPT-125m…66b): learned positions offset by 2, LayerNorm before each sub-block
 * (`do_layer_norm_before`, all sizes but 350m) or after it, ReLU feed-forward, biases throughout,
 * the LM head tied to the token embedding. OPT is the one transformers family trained with
 * LayerDrop: its config's `layerdrop` rate is shown beside the analysis.
 */
export class OptModel extends FamilyModel implements PretrainedModel {
  readonly family: Family = OPT;
  readonly objective = 'causal-lm';
  readonly layerPrefix = 'model.decoder.layers.';
  readonly maxPositions: number;
  private readonly d: number;
  private readonly heads: number;
  private readonly before: boolean;
  readonly partsInseparable?: string;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;

  constructor(config: PretrainedConfig, weights: PretrainedWeights) {
    super(config, weights);
    const d = (this.d = config.number('hidden_size'));
    this.heads = config.number('num_attention_heads');
    this.before = config.raw.do_layer_norm_before !== false;
    if (!this.before) this.partsInseparable = 'its layers normalise after each residual sum (do_layer_norm_before: false, as OPT-350m), so a block cannot be left out alone';
    this.maxPositions = config.number('max_position_embeddings');
    this.activation = activationOf(config, 'activation_function', 'relu');
    const projected = config.number('word_embed_proj_dim', d);
    // OPT-350m projects 512-wide embeddings in and out of its 1024-wide stream and norms after each block.
    if (projected !== d) throw new UserError(`${config.file}: "word_embed_proj_dim" ${projected} differs from "hidden_size" ${d} (OPT-350m's project_in/out); DepthLab opens OPT models whose embeddings are as wide as the stream`);
    const vocab = config.number('vocab_size');
    const ffn = config.number('ffn_dim');
    weights.loadTable('model.decoder.embed_tokens.weight', vocab, d);
    weights.load('model.decoder.embed_positions.weight', [this.maxPositions + POSITION_OFFSET, d]);
    if (this.before && config.raw._remove_final_layer_norm !== true) for (const part of ['weight', 'bias']) weights.load(`model.decoder.final_layer_norm.${part}`, [d]);
    const sizes: Array<[number, number]> = [[d, d], [d, d], [d, d], [d, d], [d, ffn], [ffn, d]];
    for (let layer = 0; layer < this.layers; layer++) {
      for (const norm of ['self_attn_layer_norm', 'final_layer_norm']) for (const part of ['weight', 'bias']) weights.load(this.name(layer, `${norm}.${part}`), [d]);
      LINEARS.forEach((name, i) => this.loadLinear(layer, name, ...sizes[i]));
    }
  }




  embed(batch: Batch): ResidualStream {
    const { size: B, length: T } = batch;
    const tokens = this.table('model.decoder.embed_tokens.weight').lookup(batch.inputs).reshape([B, T, this.d]);
    const positions = this.p('model.decoder.embed_positions.weight').slice([POSITION_OFFSET, 0], [T, this.d]);
    return { x: tokens.add(positions).reshape([B * T, this.d]) as tf.Tensor2D, batch, additiveMask: causalMask(T) };
  }

  block(stream: ResidualStream, layer: number, options: BlockOptions = { training: false }): tf.Tensor2D {
    const norm = (name: string, value: tf.Tensor2D) => this.layerNorm(layer, name, value, OPT_LAYER_NORM_EPS);
    let mid = options.skip === 'attention' ? stream.x : (stream.x.add(this.attention(stream, layer)) as tf.Tensor2D);
    if (!this.before) mid = norm('self_attn_layer_norm', mid);
    if (options.skip === 'mlp') return mid;
    const hidden = this.activation(this.project(layer, 'fc1', this.before ? norm('final_layer_norm', mid) : mid)) as tf.Tensor2D;
    const out = mid.add(this.project(layer, 'fc2', hidden)) as tf.Tensor2D;
    return this.before ? out : norm('final_layer_norm', out);
  }

  private attention(stream: ResidualStream, layer: number): tf.Tensor2D {
    const headDim = this.d / this.heads;
    const input = this.before ? this.layerNorm(layer, 'self_attn_layer_norm', stream.x, OPT_LAYER_NORM_EPS) : stream.x;
    const [q, k, v] = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj'].map((name) => this.project(layer, name, input));
    const context = attend(q, k, v, { batch: stream.batch.size, heads: this.heads, kvHeads: this.heads, headDim, scale: 1 / Math.sqrt(headDim) }, stream.additiveMask);
    return this.project(layer, 'self_attn.out_proj', context);
  }

  protected readonly headTableName = 'model.decoder.embed_tokens.weight';

  protected head(x: tf.Tensor2D): LmHead {
    return { input: this.normed(x) };
  }

  private normed(x: tf.Tensor2D): tf.Tensor2D {
    if (!this.weights.has('model.decoder.final_layer_norm.weight') || !this.before || this.config.raw._remove_final_layer_norm === true) return x;
    return layerNormWithEps(x, this.p('model.decoder.final_layer_norm.weight'), this.p('model.decoder.final_layer_norm.bias'), OPT_LAYER_NORM_EPS);
  }
}

export const OPT: Family = {
  name: 'opt',
  modelTypes: NATIVE_MODEL_TYPES.opt,
  basePrefix: () => 'model.',
  open: (config, weights) => new OptModel(config, weights),
  lora: () => ({ modules: moduleNames(LINEARS), fanInFanOut: false }),
  exportTensor: storedAsIs,
  cardNotes: noCardNotes,
};
