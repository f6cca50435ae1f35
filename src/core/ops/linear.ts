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

/** x·W (+ bias) for 2D x and W, as one taped op whose backward avoids wasm's slow paths. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  return bias ? productPlusBias(x, w, bias) : tapedMatMul(x, w);
}
