import * as tf from '../backend/tf';
import { gelu } from '../ops/gelu';
import { linear } from '../ops/linear';

export interface FeedForwardWeights {
  fc1: tf.Tensor2D;
  fc1Bias: tf.Tensor1D;
  fc2: tf.Tensor2D;
  fc2Bias: tf.Tensor1D;
}

/** x: [rows, d] → [rows, d]. */
export function feedForward(x: tf.Tensor2D, w: FeedForwardWeights): tf.Tensor2D {
  return linear(gelu(linear(x, w.fc1, w.fc1Bias)) as tf.Tensor2D, w.fc2, w.fc2Bias);
}
