import * as tf from '../backend/tf';
import { linear } from '../backend/linear';

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (as GPT-2 and fairseq's gelu_accurate). x·x·x, not pow: pow is 15× slower on wasm. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return x.mul(0.5).mul(tf.tanh(x.add(x.mul(x).mul(x).mul(0.044715)).mul(GELU_C)).add(1));
}

export interface FeedForwardWeights {
  fc1: tf.Tensor2D;
  fc1Bias: tf.Tensor1D;
  fc2: tf.Tensor2D;
  fc2Bias: tf.Tensor1D;
}

/** x: [rows, d] → [rows, d]. */
export function feedForward(x: tf.Tensor2D, w: FeedForwardWeights): tf.Tensor2D {
  return linear(gelu(linear(x, w.fc1).add(w.fc1Bias)) as tf.Tensor2D, w.fc2).add(w.fc2Bias);
}
