import { columnSums } from './columnSums';
import { matMul, matMulGradients, tapedMatMul } from './matMul';
import * as tf from '../backend/tf';

const productPlusBias = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.tidy(() => matMul(x, w).add(bias)),
    gradFunc: (dy: tf.Tensor2D, [savedX, savedW]: tf.Tensor2D[]) => tf.tidy(() => [...matMulGradients(dy, savedX, savedW), columnSums(dy)]),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor2D;

/**
 * x·W (+ bias) for a model that is not trained here (a Hugging Face family): the same values as
 * `linear`, as the kernel's own op, whose registered gradient computes only what is asked. So the
 * gradient in the stream (first-order loss increases) computes no weight gradients: `linear`'s
 * taped op computes both, a weight-sized product and copy per projection.
 */
export function frozenLinear(x: tf.Tensor2D, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  return bias ? matMul(x, w).add(bias) : matMul(x, w);
}

/** x·W (+ bias) for 2D x and W, as one taped op whose backward avoids wasm's slow paths. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  return bias ? productPlusBias(x, w, bias) : tapedMatMul(x, w);
}
