import * as tf from '../backend/tf';
import { gelu } from '../ops/gelu';
import { layerNorm } from '../ops/layerNorm';

/** LayerNorm over the last axis with the model's own eps (BERT's 1e-12); PyTorch's default 1e-5 (GPT-2's) takes the engine's fused op. */
export function layerNormWithEps(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor2D {
  if (eps === 1e-5) return layerNorm(x, weight, bias);
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).mul(tf.rsqrt(variance.add(eps))).mul(weight).add(bias) as tf.Tensor2D;
}

/** Llama's RMSNorm: x / √(mean(x²) + eps) · weight. */
export function rmsNorm(x: tf.Tensor2D, weight: tf.Tensor, eps: number): tf.Tensor2D {
  return x.mul(tf.rsqrt(x.square().mean(-1, true).add(eps))).mul(weight) as tf.Tensor2D;
}

/** The activations the families' configs name. */
export const ACTIVATIONS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  gelu: (x) => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5),
  // The tanh approximation: the engine's own op (its kernel on wasm).
  gelu_new: (x) => gelu(x),
  silu: (x) => x.mul(tf.sigmoid(x)),
  relu: (x) => tf.relu(x),
};
ACTIVATIONS.gelu_pytorch_tanh = ACTIVATIONS.gelu_new;
ACTIVATIONS.swish = ACTIVATIONS.silu;
