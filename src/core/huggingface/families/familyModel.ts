import * as tf from '../../backend/tf';
import { UserError } from '../../errors';
import type { BatchResult, ReadoutGradient } from '../../model/layeredModel';
import type { Batch } from '../../data/batch';
import { frozenLinear } from '../../ops/linear';
import { ACTIVATIONS, layerNormWithEps } from '../../model/norms';
import type { RawTensor } from '../../checkpoint/safetensors';
import type { PretrainedConfig } from '../pretrainedConfig';
import type { PretrainedWeights } from '../pretrainedWeights';
import type { VocabularyTable } from '../vocabularyTable';

/** The LM head as a family has it: the stream after the final norm (and BERT's transform), a bias or Gemma 2's soft cap. */
export interface LmHead {
  input: tf.Tensor2D;
  bias?: tf.Tensor1D;
  softcap?: number;
}

/**
 * What every family shares: its config and loaded tensors, tensor lookup, a layer's weights by name
 * prefix, the LM head's logits and next-token losses, disposal.
 */
export abstract class FamilyModel {
  abstract readonly layerPrefix: string;
  readonly layers: number;

  constructor(
    readonly config: PretrainedConfig,
    readonly weights: PretrainedWeights,
  ) {
    this.layers = config.layers;
  }

  /** A loaded tensor by its canonical name. */
  protected p(name: string): tf.Tensor {
    return this.weights.get(name)!;
  }

  /** A loaded vocabulary table (embedding, LM head) by its canonical name. */
  protected table(name: string): VocabularyTable {
    return this.weights.tables.get(name)!;
  }

  /** Layer `layer`'s tensor `suffix` by its canonical name. */
  protected name(layer: number, suffix: string): string {
    return `${this.layerPrefix}${layer}.${suffix}`;
  }

  /** A layer's nn.Linear `projection` ([out, in] stored, used as [in, out]) and its bias where the checkpoint has one. */
  protected loadLinear(layer: number, projection: string, inputs: number, outputs: number): void {
    this.weights.linear(this.name(layer, `${projection}.weight`), inputs, outputs);
    if (this.weights.has(this.name(layer, `${projection}.bias`))) this.weights.load(this.name(layer, `${projection}.bias`), [outputs]);
  }

  /** x through a layer's `projection`, with its bias where it has one. */
  protected project(layer: number, projection: string, x: tf.Tensor2D): tf.Tensor2D {
    return frozenLinear(x, this.p(this.name(layer, `${projection}.weight`)) as tf.Tensor2D, this.weights.get(this.name(layer, `${projection}.bias`)) as tf.Tensor1D | undefined);
  }

  /** x through a layer's LayerNorm `norm` (its weight and bias). */
  protected layerNorm(layer: number, norm: string, x: tf.Tensor2D, eps: number): tf.Tensor2D {
    return layerNormWithEps(x, this.p(this.name(layer, `${norm}.weight`)), this.p(this.name(layer, `${norm}.bias`)), eps);
  }

  /** The canonical name of the vocabulary table the LM head multiplies by. */
  protected abstract readonly headTableName: string;

  /** The family's LM head on rows of the stream. */
  protected abstract head(x: tf.Tensor2D): LmHead;

  /** The rows of the stream the readout scores against `batch.targets`: every position's next token (decoders). */
  protected scoredRows(x: tf.Tensor2D, _batch: Batch): tf.Tensor2D {
    return x;
  }

  private get headTable(): VocabularyTable {
    return this.table(this.headTableName);
  }

  /** Where the head's table stays in the file, how many stream rows one pass over it reads out together (sharedPrefixes.ts groups readouts so). */
  get readoutRows(): number {
    return this.headTable.passRows;
  }

  get readoutSecondsReading(): number {
    return this.headTable.secondsReading;
  }

  logits(x: tf.Tensor2D): tf.Tensor2D {
    const { input, bias, softcap } = this.head(x);
    return this.headTable.transposedProduct(input, bias, softcap);
  }

  readout(x: tf.Tensor2D, batch: Batch): BatchResult {
    const rows = this.scoredRows(x, batch);
    const { input, bias, softcap } = this.head(rows);
    return { loss: this.headTable.crossEntropy(input, batch.targets, bias, softcap), count: rows.shape[0] };
  }

  /** Several streams' readouts in one pass over the head's table: the mean of each one's token losses, as `readout` has them for a table in blocks. */
  readoutMany(xs: tf.Tensor2D[], batch: Batch): BatchResult[] {
    if (xs.length === 1) return [this.readout(xs[0], batch)];
    const rows = xs.map((x) => this.scoredRows(x, batch));
    return this.tokenLossesMany(rows, batch.targets).map((losses, i) => ({ loss: losses.mean() as tf.Scalar, count: rows[i].shape[0] }));
  }

  /** The readout and its gradient in the stream, the head's table read once (vocabularyTable.ts); the final norm differentiated by TF.js. */
  readoutGradient(x: tf.Tensor2D, batch: Batch): ReadoutGradient {
    const headInput = (stream: tf.Tensor2D) => this.head(this.scoredRows(stream, batch));
    const { input, bias, softcap } = headInput(x);
    const { losses, gradient } = this.headTable.crossEntropyGradient(input, batch.targets, bias, softcap);
    const count = input.shape[0];
    return { loss: losses.mean() as tf.Scalar, count, gradient: tf.grad((stream) => headInput(stream as tf.Tensor2D).input)(x, gradient.div(count)) as tf.Tensor2D };
  }

  tokenLosses(x: tf.Tensor2D, targets: Int32Array): tf.Tensor1D {
    const { input, bias, softcap } = this.head(x);
    return this.headTable.tokenCrossEntropy(input, targets, bias, softcap);
  }

  /** Each stream's token losses against the same targets, in one pass over the head's table. */
  tokenLossesMany(xs: tf.Tensor2D[], targets: Int32Array): tf.Tensor1D[] {
    if (xs.length === 1) return [this.tokenLosses(xs[0], targets)];
    const heads = xs.map((x) => this.head(x));
    const { bias, softcap } = heads[0];
    const repeated = new Int32Array(targets.length * xs.length);
    xs.forEach((_, i) => repeated.set(targets, i * targets.length));
    const losses = this.headTable.tokenCrossEntropy(tf.concat(heads.map((head) => head.input)), repeated, bias, softcap);
    return tf.split(losses, xs.length) as tf.Tensor1D[];
  }

  layerWeights(layer: number): tf.Tensor[] {
    return this.weights.layerTensors(`${this.layerPrefix}${layer}.`);
  }

  dispose(): void {
    this.weights.dispose();
  }
}

/** The activation a config names under `key` (or `fallback`); one DepthLab lacks is a user error naming it. */
export function activationOf(config: PretrainedConfig, key: string, fallback: string): (x: tf.Tensor) => tf.Tensor {
  const name = String(config.raw[key] ?? fallback);
  const activation = ACTIVATIONS[name];
  if (!activation) throw new UserError(`${config.file}: ${key} "${name}" is not one DepthLab implements (${Object.keys(ACTIVATIONS).join(', ')})`);
  return activation;
}

/** `exportTensor` for the families whose layers do not depend on their index. */
export const storedAsIs = (_config: PretrainedConfig, tensor: RawTensor): RawTensor => tensor;

/** `cardNotes` for the families with nothing to add. */
export const noCardNotes = (): string[] => [];

/** The last segment of each module name: what PEFT matches against every module of the model. */
export const moduleNames = (names: readonly string[]): string[] => [...new Set(names.map((name) => name.split('.').at(-1)!))];
