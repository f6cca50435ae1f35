import * as tf from '../backend/tf';
import { linear } from '../ops/linear';
import { invertedDropout } from '../ops/dropout';
import { crossEntropy, tokenCrossEntropy } from '../ops/crossEntropy';
import { gatherRows } from '../ops/gatherRows';
import { Rng } from '../random/rng';
import { selfAttention } from './attention';
import { feedForward } from './feedForward';
import { layerNorm } from '../ops/layerNorm';
import type { BatchResult, BlockOptions, ForwardOptions, LayeredModel, ResidualStream } from './layeredModel';
import type { Batch } from '../data/batch';
import type { LayerPart } from '../config/choices';
import { swapLastAxes, tapedMatMul } from '../ops/matMul';
import { hasHeadBias, hasTiedHead, LAYER_PARAMETER_SUFFIXES, layerParameterName, parameterSpecs, type ModelShape, type ParameterSpec } from './parameters';

const INIT_STD = 0.02;
const MASKED = -1e9;

/** Pre-LN Transformer: causal decoder for language models, bidirectional encoder with mean pooling for classification. */
export class Transformer implements LayeredModel {
  readonly params = new Map<string, tf.Variable>();
  readonly specs: ParameterSpec[];
  private readonly causalMask: tf.Tensor2D;
  /** The blocks the config's model.skipBlocks leaves out, by layer. */
  private readonly skipped: ReadonlyMap<number, LayerPart>;

  constructor(
    readonly shape: ModelShape,
    init: Rng | Map<string, tf.Tensor>,
  ) {
    this.specs = parameterSpecs(shape);
    for (const spec of this.specs) {
      const value = init instanceof Rng ? initialValue(spec, init) : init.get(spec.name);
      if (!value) throw new Error(`missing parameter ${spec.name}`);
      this.params.set(spec.name, tf.variable(value, true));
      value.dispose();
    }
    const T = shape.model.seqLen;
    const mask = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) mask[i * T + j] = MASKED;
    this.causalMask = tf.tensor2d(mask, [T, T]);
    this.skipped = new Map((shape.model.skipBlocks ?? []).map(({ layer, part }) => [layer, part]));
  }

  get layers(): number {
    return this.shape.model.layers;
  }

  layerWeights(layer: number): tf.Tensor[] {
    return LAYER_PARAMETER_SUFFIXES.map((suffix) => this.layerParam(layer, suffix));
  }

  param(name: string): tf.Variable {
    const value = this.params.get(name);
    if (!value) throw new Error(`no parameter ${name}`);
    return value;
  }

  layerParam(layer: number, suffix: string): tf.Variable {
    return this.param(layerParameterName(layer, suffix, this.shape.model.shareLayersEvery));
  }

  /**
   * The residual stream entering the first layer. A pass is embed → block per layer → readout
   * (train/earlyExit.ts for training); the pieces let a caller resume from a stream it kept (the
   * importance pass reuses prefixes).
   */
  embed(batch: Batch, options: Pick<ForwardOptions, 'training' | 'rng'>): ResidualStream {
    const { dModel, dropout } = this.shape.model;
    const { size: B, length: T } = batch;
    const tokens = gatherRows(this.param('embed.tokens.weight') as tf.Tensor2D, batch.inputs);
    const positions = this.param('embed.positions.weight').slice([0, 0], [T, dModel]);
    const x = this.dropout(tokens.reshape([B, T, dModel]).add(positions), dropout, options).reshape([B * T, dModel]) as tf.Tensor2D;
    const keyMask = batch.mask ? tf.tensor2d(batch.mask, [B, T]).sub(1).mul(-MASKED).reshape([B, 1, 1, T]) : undefined;
    return { x, batch, additiveMask: keyMask ?? this.causalMask.slice([0, 0], [T, T]) };
  }

  /** One layer on the stream: x + attention(LN(x)), then + feed-forward(LN(·)), either branch left out with `skip`. Returns the new x. */
  block(stream: ResidualStream, layer: number, options: BlockOptions): tf.Tensor2D {
    const { dropout } = this.shape.model;
    const p = (suffix: string) => this.layerParam(layer, suffix);
    const input = stream.x;
    const skip = options.skip ?? this.skipped.get(layer);
    const mid = skip === 'attention' ? input : (input.add(this.dropout(this.attention(stream, layer, options), dropout, options)) as tf.Tensor2D);
    if (skip === 'mlp') return mid;
    const transformed = feedForward(layerNorm(mid, p('ln2.weight'), p('ln2.bias')), {
      fc1: p('ffn.fc1.weight') as tf.Tensor2D,
      fc1Bias: p('ffn.fc1.bias') as tf.Tensor1D,
      fc2: p('ffn.fc2.weight') as tf.Tensor2D,
      fc2Bias: p('ffn.fc2.bias') as tf.Tensor1D,
    });
    return mid.add(this.dropout(transformed, dropout, options)) as tf.Tensor2D;
  }

  private attention(stream: ResidualStream, layer: number, options: BlockOptions): tf.Tensor2D {
    const { heads, attentionDropout } = this.shape.model;
    const p = (suffix: string) => this.layerParam(layer, suffix);
    const input = stream.x;
    return selfAttention(
      layerNorm(input, p('ln1.weight'), p('ln1.bias')),
      { qkv: p('attn.qkv.weight') as tf.Tensor2D, qkvBias: p('attn.qkv.bias') as tf.Tensor1D, out: p('attn.out.weight') as tf.Tensor2D, outBias: p('attn.out.bias') as tf.Tensor1D },
      { batch: stream.batch.size, heads },
      stream.additiveMask,
      (probabilities) => this.dropout(probabilities, attentionDropout, options),
    );
  }

  /** A language model's next-token logits from the stream: final LayerNorm, then the head (tied: the token embedding, transposed). */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    const normed = layerNorm(x, this.param('final_ln.weight'), this.param('final_ln.bias'));
    if (hasTiedHead(this.shape)) return tapedMatMul(normed, swapLastAxes(this.param('embed.tokens.weight') as tf.Tensor2D));
    return linear(normed, this.param('head.weight') as tf.Tensor2D, hasHeadBias(this.shape) ? (this.param('head.bias') as tf.Tensor1D) : undefined);
  }

  tokenLosses(x: tf.Tensor2D, targets: Int32Array): tf.Tensor1D {
    return tokenCrossEntropy(this.logits(x), targets);
  }

  /** Final LayerNorm, head and loss (and correct count for classifiers). */
  readout(x: tf.Tensor2D, batch: Batch): BatchResult {
    const { dModel } = this.shape.model;
    const { size: B, length: T } = batch;
    if (this.shape.task === 'language-model') return { loss: crossEntropy(this.logits(x), batch.targets), count: B * T };
    const normed = layerNorm(x, this.param('final_ln.weight'), this.param('final_ln.bias'));
    const mask = tf.tensor2d(batch.mask!, [B, T]).reshape([B, T, 1]);
    const pooled = normed.reshape([B, T, dModel]).mul(mask).sum(1).div(mask.sum(1));
    const logits = linear(pooled as tf.Tensor2D, this.param('head.weight') as tf.Tensor2D, this.param('head.bias') as tf.Tensor1D);
    const labels = tf.tensor1d(batch.targets, 'int32');
    const correct = tf.equal(logits.argMax(1), labels).sum().cast('float32') as tf.Scalar;
    return { loss: crossEntropy(logits, batch.targets), correct, count: B };
  }

  private dropout(x: tf.Tensor, rate: number, options: Pick<ForwardOptions, 'training' | 'rng'>): tf.Tensor {
    return options.training && rate > 0 ? invertedDropout(x, rate, options.rng!.seed()) : x;
  }

  dispose(): void {
    for (const value of this.params.values()) value.dispose();
    this.params.clear();
    this.causalMask.dispose();
  }
}

function initialValue(spec: ParameterSpec, rng: Rng): tf.Tensor {
  if (spec.init === 'zeros') return tf.zeros(spec.shape);
  if (spec.init === 'ones') return tf.ones(spec.shape);
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.normal() * INIT_STD;
  return tf.tensor(values, spec.shape);
}
