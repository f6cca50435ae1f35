import type * as tf from '../backend/tf';
import type { Rng } from '../random/rng';
import type { LayerPart } from '../config/choices';
import type { Batch } from '../data/batch';

export interface ForwardOptions {
  /** Layer indices to run, ascending; the others pass the residual stream through untouched. */
  layers: readonly number[];
  training: boolean;
  /** Seeds dropout masks; required when training with dropout. */
  rng?: Rng;
}

/** A layer's options: a forward pass's, and one of its two blocks to leave out (the stream passes that branch untouched). */
export type BlockOptions = Omit<ForwardOptions, 'layers'> & { skip?: LayerPart };

/** The residual stream of one batch between layers, with what every layer needs alongside it. */
export interface ResidualStream {
  x: tf.Tensor2D;
  batch: Batch;
  additiveMask: tf.Tensor;
}

/**
 * The evaluation passes as work on one batch at a time, whose numbers the caller then sums in batch
 * order: so a pass gives the same result, bit for bit, whether one thread ran every batch or several
 * threads ran a share each (evaluate/evaluationThreads.ts). Each is plain data, to cross a thread.
 */
export type BatchTask =
  /** Sub-networks evaluated together (`steps`: lists of layerParts.ts steps): [predictions, classifies, then per sub-network loss, correct, ms]. */
  | { kind: 'evaluate'; subnetworks: number[][]; steps?: boolean }
  /** The full network and the N without one layer, and Block Influence: [predictions, tokens, N + 1 losses, N cosine sums]. */
  | { kind: 'layer-statistics' }
  /** Angular distance between the streams n layers apart: [tokens, then the sum for every n = 1…N and l = 0…N − n]. */
  | { kind: 'angular' }
  /** First-order estimates of each layer's loss increase, from one forward and one backward pass, with Block Influence and the angular sums: [predictions, tokens, full loss, N estimates, N cosine sums, then angular's sums]. */
  | { kind: 'estimates' }
  /** A multiple-choice task's rows (Batch.spans): [rows, then per sub-network each row's summed continuation loss]. */
  | { kind: 'choices'; subnetworks: number[][] };

export interface BatchResult {
  /** Mean loss over the batch's predictions. */
  loss: tf.Scalar;
  /** Correct predictions (classification) or undefined. */
  correct?: tf.Scalar;
  /** Number of predictions the loss averages over. */
  count: number;
}

/** A readout's mean loss and its gradient with respect to the stream it read out. */
export interface ReadoutGradient extends BatchResult {
  gradient: tf.Tensor2D;
}

/**
 * A model as the analysis sees it: an embedding, N layers on a residual stream, a readout. DepthLab's
 * own Transformer and the Hugging Face families implement it, so the importance pass, the depth
 * sweep and every strategy run on either.
 */
export interface LayeredModel {
  readonly layers: number;
  /** The residual stream entering the first layer. */
  embed(batch: Batch, options: Pick<ForwardOptions, 'training' | 'rng'>): ResidualStream;
  /** Layer `layer` on the stream; returns the new stream. Skipping a layer is not calling this; `skip` leaves out one of its blocks. */
  block(stream: ResidualStream, layer: number, options: BlockOptions): tf.Tensor2D;
  /** Why this model's attention and MLP cannot be removed one at a time (post-LN layers normalise their sum); undefined where they can. */
  readonly partsInseparable?: string;
  /** Final norm, head and loss. */
  readout(x: tf.Tensor2D, batch: Batch): BatchResult;
  /** Next-token models only: each position's cross-entropy against its target, [rows], for scoring a continuation. */
  tokenLosses?(x: tf.Tensor2D, targets: Int32Array): tf.Tensor1D;
  /**
   * A model whose readout reads its vocabulary table from the file: how many stream rows one
   * pass over the table reads out together, and the readouts and token losses of several streams
   * in one pass (sharedPrefixes.ts groups a walk's readouts so).
   */
  readonly readoutRows?: number;
  /** Seconds its readouts have spent reading the table so far. */
  readonly readoutSecondsReading?: number;
  readoutMany?(xs: tf.Tensor2D[], batch: Batch): BatchResult[];
  tokenLossesMany?(xs: tf.Tensor2D[], targets: Int32Array): tf.Tensor1D[];
  /** `readout` and its gradient in x, cheaper than differentiating `readout` (one pass over a table left in the file); else TF.js differentiates it. */
  readoutGradient?(x: tf.Tensor2D, batch: Batch): ReadoutGradient;
  /** Every weight of one layer, for its weight norm. */
  layerWeights(layer: number): tf.Tensor[];
  /**
   * A model computed elsewhere (transformers in the user's Python: the torch backend) answers every
   * pass itself, batch by batch as evaluate/batchTasks.ts defines them, and reports its layers' L1
   * norms; its embed, block and readout are never called.
   */
  runBatches?(batches: Batch[], task: BatchTask): Float64Array[];
  weightL1?(): number[];
  dispose(): void;
}
