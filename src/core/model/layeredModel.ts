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

export interface BatchResult {
  /** Mean loss over the batch's predictions. */
  loss: tf.Scalar;
  /** Correct predictions (classification) or undefined. */
  correct?: tf.Scalar;
  /** Number of predictions the loss averages over. */
  count: number;
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
  /** Every weight of one layer, for its weight norm. */
  layerWeights(layer: number): tf.Tensor[];
  dispose(): void;
}
