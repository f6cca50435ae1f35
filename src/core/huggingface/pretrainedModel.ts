import type * as tf from '../backend/tf';
import type { LayeredModel } from '../model/layeredModel';
import type { PretrainedConfig } from './pretrainedConfig';
import type { PretrainedWeights } from './pretrainedWeights';

/** A Hugging Face model opened for analysis: a LayeredModel plus what an export needs to rewrite it. */
export interface PretrainedModel extends LayeredModel {
  readonly config: PretrainedConfig;
  readonly weights: PretrainedWeights;
  /** Next-token loss (decoders) or masked-token loss (encoders). */
  readonly objective: 'causal-lm' | 'masked-lm';
  /** The longest window this model computes exactly as transformers does (positions, and sliding-window attention). */
  readonly maxPositions: number;
  /** Canonical name of layer i's tensors up to the index, e.g. `transformer.h.`. */
  readonly layerPrefix: string;
  /** Final norm and LM head on the stream leaving the last layer: [rows, vocab]. */
  logits(x: tf.Tensor2D): tf.Tensor2D;
}
