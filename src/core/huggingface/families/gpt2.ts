import * as tf from '../../backend/tf';
import { frozenLinear } from '../../ops/linear';
import type { BlockOptions, ResidualStream } from '../../model/layeredModel';
import type { Batch } from '../../data/batch';
import { attend } from '../../model/groupedQueryAttention';
import { causalMask } from '../../model/attentionMasks';
import { layerNormWithEps } from '../../model/norms';
import type { PretrainedConfig } from '../pretrainedConfig';
import type { PretrainedModel } from '../pretrainedModel';
import type { PretrainedWeights } from '../pretrainedWeights';
import type { RawTensor } from '../../checkpoint/safetensors';
import { decodeFloats, encodeFloats } from '../halfFloats';
import type { WeightDtype } from '../weightFiles';
import { NATIVE_MODEL_TYPES } from '../nativeModelTypes';
import type { Family } from '../pretrainedModel';
import { moduleNames } from './familyModel';
import { activationOf, FamilyModel, type LmHead } from './familyModel';

/** A layer's linear maps: Conv1D, stored [in, out]. */
const LINEARS = ['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'];
const LAYER_TENSORS = ['ln_1.weight', 'ln_1.bias', 'attn.c_attn.weight', 'attn.c_attn.bias', 'attn.c_proj.weight', 'attn.c_proj.bias', 'ln_2.weight', 'ln_2.bias', 'mlp.c_fc.weight', 'mlp.c_fc.bias', 'mlp.c_proj.weight', 'mlp.c_proj.bias'];

/**
 * GPT-2 (gpt2, distilgpt2): pre-LN decoder, learned positions, Conv1D weights stored [in, out]
 * (already x·W's layout), LM head tied to wte unless the config unties it and lm_head.weight is
 * there (DepthLab's own exports, finetunes). `scale_attn_by_inverse_layer_idx` divides layer i's scores
 * by i + 1, by the layer's original index: removing layers does not change the others' scale.
 */
export class Gpt2Model extends FamilyModel implements PretrainedModel {
  readonly family: Family = GPT2;
  readonly objective = 'causal-lm';
  readonly layerPrefix = 'transformer.h.';
  readonly maxPositions: number;
  private readonly d: number;
  private readonly heads: number;
  private readonly eps: number;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;
  protected readonly headTableName: string;

  constructor(config: PretrainedConfig, weights: PretrainedWeights) {
    super(config, weights);
    this.d = config.number('n_embd');
    this.heads = config.number('n_head');
    this.eps = config.number('layer_norm_epsilon', 1e-5);
    this.maxPositions = config.number('n_positions');
    const vocab = config.number('vocab_size');
    const ffn = (config.raw.n_inner as number | null) ?? 4 * this.d;
    this.activation = activationOf(config, 'activation_function', 'gelu_new');
    const d = this.d;
    weights.loadTable('transformer.wte.weight', vocab, d);
    this.headTableName = config.raw.tie_word_embeddings === false && weights.has('lm_head.weight') ? 'lm_head.weight' : 'transformer.wte.weight';
    if (this.headTableName === 'lm_head.weight') weights.loadTable('lm_head.weight', vocab, d);
    weights.load('transformer.wpe.weight', [this.maxPositions, d]);
    weights.load('transformer.ln_f.weight', [d]);
    weights.load('transformer.ln_f.bias', [d]);
    const shapes: Record<string, number[]> = {
      'ln_1.weight': [d], 'ln_1.bias': [d], 'ln_2.weight': [d], 'ln_2.bias': [d],
      'attn.c_attn.weight': [d, 3 * d], 'attn.c_attn.bias': [3 * d], 'attn.c_proj.weight': [d, d], 'attn.c_proj.bias': [d],
      'mlp.c_fc.weight': [d, ffn], 'mlp.c_fc.bias': [ffn], 'mlp.c_proj.weight': [ffn, d], 'mlp.c_proj.bias': [d],
    };
    for (let layer = 0; layer < this.layers; layer++) for (const suffix of LAYER_TENSORS) weights.load(this.name(layer, suffix), shapes[suffix]);
  }


  embed(batch: Batch): ResidualStream {
    const { size: B, length: T } = batch;
    const tokens = this.table('transformer.wte.weight').lookup(batch.inputs).reshape([B, T, this.d]);
    const x = tokens.add(this.p('transformer.wpe.weight').slice([0, 0], [T, this.d])).reshape([B * T, this.d]) as tf.Tensor2D;
    return { x, batch, additiveMask: causalMask(T) };
  }

  block(stream: ResidualStream, layer: number, options: BlockOptions = { training: false }): tf.Tensor2D {
    const p = (suffix: string) => this.p(this.name(layer, suffix));
    const x = stream.x;
    const mid = options.skip === 'attention' ? x : (x.add(this.attention(stream, layer)) as tf.Tensor2D);
    if (options.skip === 'mlp') return mid;
    const hidden = this.activation(frozenLinear(layerNormWithEps(mid, p('ln_2.weight'), p('ln_2.bias'), this.eps), p('mlp.c_fc.weight') as tf.Tensor2D, p('mlp.c_fc.bias') as tf.Tensor1D));
    return mid.add(frozenLinear(hidden as tf.Tensor2D, p('mlp.c_proj.weight') as tf.Tensor2D, p('mlp.c_proj.bias') as tf.Tensor1D)) as tf.Tensor2D;
  }

  private attention(stream: ResidualStream, layer: number): tf.Tensor2D {
    const p = (suffix: string) => this.p(this.name(layer, suffix));
    const headDim = this.d / this.heads;
    const qkv = frozenLinear(layerNormWithEps(stream.x, p('ln_1.weight'), p('ln_1.bias'), this.eps), p('attn.c_attn.weight') as tf.Tensor2D, p('attn.c_attn.bias') as tf.Tensor1D);
    const [q, k, v] = tf.split(qkv, 3, 1) as tf.Tensor2D[];
    let scale = this.config.raw.scale_attn_weights === false ? 1 : 1 / Math.sqrt(headDim);
    if (this.config.raw.scale_attn_by_inverse_layer_idx) scale /= layer + 1;
    const context = attend(q, k, v, { batch: stream.batch.size, heads: this.heads, kvHeads: this.heads, headDim, scale }, stream.additiveMask);
    return frozenLinear(context, p('attn.c_proj.weight') as tf.Tensor2D, p('attn.c_proj.bias') as tf.Tensor1D);
  }

  protected head(x: tf.Tensor2D): LmHead {
    return { input: layerNormWithEps(x, this.p('transformer.ln_f.weight'), this.p('transformer.ln_f.bias'), this.eps) };
  }
}

/**
 * GPT-2 with `scale_attn_by_inverse_layer_idx` divides layer i's attention scores by i + 1. The
 * exported layer sits at index j, so its query part (the first n_embd outputs of c_attn) is scaled
 * by (j + 1)/(i + 1): the exported model computes what the sub-network computed before.
 */
function foldInverseLayerScale(config: PretrainedConfig, tensor: RawTensor, old: number, kept: number): RawTensor {
  if (!config.raw.scale_attn_by_inverse_layer_idx || old === kept || !/\.attn\.c_attn\.(weight|bias)$/.test(tensor.name)) return tensor;
  const factor = (kept + 1) / (old + 1);
  const dtype = tensor.dtype as WeightDtype;
  const values = decodeFloats(dtype, tensor.bytes);
  const d = config.number('n_embd');
  const columns = tensor.shape[tensor.shape.length - 1];
  for (let i = 0; i < values.length; i++) if (i % columns < d) values[i] *= factor;
  return { ...tensor, bytes: encodeFloats(dtype, values) };
}

export const GPT2: Family = {
  name: 'gpt2',
  modelTypes: NATIVE_MODEL_TYPES.gpt2,
  basePrefix: () => 'transformer.',
  open: (config, weights) => new Gpt2Model(config, weights),
  lora: () => ({ modules: moduleNames(LINEARS), fanInFanOut: true }),
  exportTensor: foldInverseLayerScale,
  cardNotes: (config) =>
    config.raw.scale_attn_by_inverse_layer_idx
      ? ["`scale_attn_by_inverse_layer_idx` divides layer i's attention scores by i + 1: each kept layer's query weights were rescaled by (new index + 1)/(old index + 1), so the renumbered model computes what the sub-network computed."]
      : [],
};
