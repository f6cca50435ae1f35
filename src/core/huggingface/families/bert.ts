import * as tf from '../../backend/tf';
import { frozenLinear } from '../../ops/linear';
import { gatherRows } from '../../ops/gatherRows';
import type { ResidualStream } from '../../model/layeredModel';
import type { Batch } from '../../data/batch';
import { attend } from '../../model/groupedQueryAttention';
import { paddingMask } from '../../model/attentionMasks';
import { layerNormWithEps } from '../../model/norms';
import type { PretrainedConfig } from '../pretrainedConfig';
import type { PretrainedModel } from '../pretrainedModel';
import type { PretrainedWeights } from '../pretrainedWeights';
import { NATIVE_MODEL_TYPES } from '../nativeModelTypes';
import type { Family } from '../pretrainedModel';
import { noCardNotes, storedAsIs } from './familyModel';
import { activationOf, FamilyModel, type LmHead } from './familyModel';

/** Where each model_type of the family keeps its tensors and its sizes. */
interface Layout {
  base: string;
  embeddings: { word: string; position: string; tokenType?: string; norm: string };
  layerPrefix: string;
  layer: { q: string; k: string; v: string; out: string; attentionNorm: string; up: string; down: string; outputNorm: string };
  head: { dense: string; norm: string; bias: string };
  keys: { d: string; heads: string; ffn: string; activation: string; positions: string };
  /** RoBERTa counts positions from padding_idx + 1. */
  positionOffset: (config: PretrainedConfig) => number;
}

const BERT_LAYER = {
  q: 'attention.self.query', k: 'attention.self.key', v: 'attention.self.value', out: 'attention.output.dense',
  attentionNorm: 'attention.output.LayerNorm', up: 'intermediate.dense', down: 'output.dense', outputNorm: 'output.LayerNorm',
};
const BERT_KEYS = { d: 'hidden_size', heads: 'num_attention_heads', ffn: 'intermediate_size', activation: 'hidden_act', positions: 'max_position_embeddings' };
const embeddingsOf = (base: string) => ({
  word: `${base}embeddings.word_embeddings`, position: `${base}embeddings.position_embeddings`,
  tokenType: `${base}embeddings.token_type_embeddings`, norm: `${base}embeddings.LayerNorm`,
});

type BertType = (typeof NATIVE_MODEL_TYPES.bert)[number];

/** Every model_type the family reads has its layout: one missing does not compile. */
const LAYOUTS: Record<BertType, Layout> = {
  bert: {
    base: 'bert.', embeddings: embeddingsOf('bert.'), layerPrefix: 'bert.encoder.layer.', layer: BERT_LAYER, keys: BERT_KEYS,
    head: { dense: 'cls.predictions.transform.dense', norm: 'cls.predictions.transform.LayerNorm', bias: 'cls.predictions.bias' },
    positionOffset: () => 0,
  },
  roberta: {
    base: 'roberta.', embeddings: embeddingsOf('roberta.'), layerPrefix: 'roberta.encoder.layer.', layer: BERT_LAYER, keys: BERT_KEYS,
    head: { dense: 'lm_head.dense', norm: 'lm_head.layer_norm', bias: 'lm_head.bias' },
    positionOffset: (config) => config.number('pad_token_id', 1) + 1,
  },
  distilbert: {
    base: 'distilbert.',
    embeddings: { word: 'distilbert.embeddings.word_embeddings', position: 'distilbert.embeddings.position_embeddings', norm: 'distilbert.embeddings.LayerNorm' },
    layerPrefix: 'distilbert.transformer.layer.',
    layer: { q: 'attention.q_lin', k: 'attention.k_lin', v: 'attention.v_lin', out: 'attention.out_lin', attentionNorm: 'sa_layer_norm', up: 'ffn.lin1', down: 'ffn.lin2', outputNorm: 'output_layer_norm' },
    head: { dense: 'vocab_transform', norm: 'vocab_layer_norm', bias: 'vocab_projector.bias' },
    keys: { d: 'dim', heads: 'n_heads', ffn: 'hidden_dim', activation: 'activation', positions: 'max_position_embeddings' },
    positionOffset: () => 0,
  },
};

/**
 * The BERT family (bert, roberta, distilbert) with its masked-LM head: post-LN encoder, learned
 * positions, the head's transform → activation → LayerNorm → tied decoder + bias.
 */
export class BertModel extends FamilyModel implements PretrainedModel {
  readonly family: Family = BERT;
  readonly objective = 'masked-lm';
  readonly maxPositions: number;
  readonly layerPrefix: string;
  private readonly layout: Layout;
  private readonly d: number;
  private readonly heads: number;
  readonly partsInseparable = 'its layers normalise after each residual sum (post-LN), so a block cannot be left out alone';
  private readonly eps: number;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;

  constructor(config: PretrainedConfig, weights: PretrainedWeights) {
    super(config, weights);
    const layout = (this.layout = LAYOUTS[config.modelType as BertType]);
    this.layerPrefix = layout.layerPrefix;
    const d = (this.d = config.number(layout.keys.d));
    this.heads = config.number(layout.keys.heads);
    this.eps = config.number('layer_norm_eps', 1e-12);
    this.maxPositions = config.number(layout.keys.positions);
    this.activation = activationOf(config, layout.keys.activation, 'gelu');
    const vocab = config.number('vocab_size');
    const ffn = config.number(layout.keys.ffn);
    const { embeddings, head } = layout;
    weights.loadTable(`${embeddings.word}.weight`, vocab, d);
    weights.load(`${embeddings.position}.weight`, [this.maxPositions, d]);
    if (embeddings.tokenType) weights.load(`${embeddings.tokenType}.weight`, [config.number('type_vocab_size', 2), d]);
    const norm = (name: string) => {
      weights.load(`${name}.weight`, [d]);
      weights.load(`${name}.bias`, [d]);
    };
    const dense = (name: string, inputs: number, outputs: number) => {
      weights.linear(`${name}.weight`, inputs, outputs);
      weights.load(`${name}.bias`, [outputs]);
    };
    norm(embeddings.norm);
    dense(head.dense, d, d);
    norm(head.norm);
    weights.load(head.bias, [vocab]);
    for (let layer = 0; layer < this.layers; layer++) {
      const n = (part: string) => `${this.layerPrefix}${layer}.${part}`;
      for (const part of [layout.layer.q, layout.layer.k, layout.layer.v, layout.layer.out]) dense(n(part), d, d);
      dense(n(layout.layer.up), d, ffn);
      dense(n(layout.layer.down), ffn, d);
      norm(n(layout.layer.attentionNorm));
      norm(n(layout.layer.outputNorm));
    }
  }

  private dense(name: string, x: tf.Tensor2D): tf.Tensor2D {
    return frozenLinear(x, this.p(`${name}.weight`) as tf.Tensor2D, this.p(`${name}.bias`) as tf.Tensor1D);
  }

  private norm(name: string, x: tf.Tensor2D): tf.Tensor2D {
    return layerNormWithEps(x, this.p(`${name}.weight`), this.p(`${name}.bias`), this.eps);
  }

  embed(batch: Batch): ResidualStream {
    const { size: B, length: T } = batch;
    const { word, position, tokenType, norm } = this.layout.embeddings;
    const offset = this.layout.positionOffset(this.config);
    let x = this.table(`${word}.weight`).lookup(batch.inputs).reshape([B, T, this.d]).add(this.p(`${position}.weight`).slice([offset, 0], [T, this.d]));
    if (tokenType) x = x.add(this.p(`${tokenType}.weight`).slice([0, 0], [1, this.d]));
    return { x: this.norm(norm, x.reshape([B * T, this.d]) as tf.Tensor2D), batch, additiveMask: paddingMask(batch.mask, B, T) };
  }

  block(stream: ResidualStream, layer: number): tf.Tensor2D {
    const n = (part: string) => `${this.layerPrefix}${layer}.${part}`;
    const { q, k, v, out, attentionNorm, up, down, outputNorm } = this.layout.layer;
    const x = stream.x;
    const headDim = this.d / this.heads;
    const shape = { batch: stream.batch.size, heads: this.heads, kvHeads: this.heads, headDim, scale: 1 / Math.sqrt(headDim) };
    const context = attend(this.dense(n(q), x), this.dense(n(k), x), this.dense(n(v), x), shape, stream.additiveMask);
    const h = this.norm(n(attentionNorm), x.add(this.dense(n(out), context)) as tf.Tensor2D);
    const hidden = this.activation(this.dense(n(up), h)) as tf.Tensor2D;
    return this.norm(n(outputNorm), h.add(this.dense(n(down), hidden)) as tf.Tensor2D);
  }

  protected get headTableName(): string {
    return `${this.layout.embeddings.word}.weight`;
  }

  protected head(x: tf.Tensor2D): LmHead {
    return { input: this.transformed(x), bias: this.p(this.layout.head.bias) as tf.Tensor1D };
  }

  /** The masked rows alone. */
  protected scoredRows(x: tf.Tensor2D, batch: Batch): tf.Tensor2D {
    return gatherRows(x, batch.predicted!);
  }

  /** The masked-LM head's transform before the vocabulary product. */
  private transformed(x: tf.Tensor2D): tf.Tensor2D {
    const { head } = this.layout;
    return this.norm(head.norm, this.activation(this.dense(head.dense, x)) as tf.Tensor2D);
  }
}

export const BERT: Family = {
  name: 'bert',
  modelTypes: NATIVE_MODEL_TYPES.bert,
  basePrefix: (config) => LAYOUTS[config.modelType as BertType].base,
  open: (config, weights) => new BertModel(config, weights),
  // Dotted names, as stored under each layer: the head's transform is a `dense` too, and is not a layer's.
  lora: (config) => {
    const { q, k, v, out, up, down } = LAYOUTS[config.modelType as BertType].layer;
    return { modules: [q, k, v, out, up, down], fanInFanOut: false };
  },
  exportTensor: storedAsIs,
  cardNotes: noCardNotes,
};
