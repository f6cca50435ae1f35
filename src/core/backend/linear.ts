import { columnSums } from './columnSums';
import * as tf from './tf';

/**
 * The gradient of x·W with explicit transposes. TF.js's own gradient uses matMul's transposeA/
 * transposeB flags, which the wasm backend runs about 10× slower than an explicit transpose
 * followed by a plain matMul. dW transposes the narrower of x and dy ((dyᵀ·x)ᵀ when dy is narrower).
 */
function matMulGradients(dy: tf.Tensor2D, x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor[] {
  const dw = x.shape[1] <= dy.shape[1] ? tf.matMul(tf.transpose(x), dy) : tf.transpose(tf.matMul(tf.transpose(dy), x));
  return [tf.matMul(dy, tf.transpose(w)), dw];
}

// tf.tidy frees the transposes now instead of at the end of the whole gradient computation.
const product = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor2D, [savedX, savedW]: tf.Tensor2D[]) => tf.tidy(() => matMulGradients(dy, savedX, savedW)),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

const productPlusBias = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.tidy(() => tf.matMul(x, w).add(bias)),
    gradFunc: (dy: tf.Tensor2D, [savedX, savedW]: tf.Tensor2D[]) => tf.tidy(() => [...matMulGradients(dy, savedX, savedW), columnSums(dy)]),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor2D;

/** x·W (+ bias) for 2D x and W, as one taped op whose backward avoids wasm's slow paths. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  return bias ? productPlusBias(x, w, bias) : product(x, w);
}
