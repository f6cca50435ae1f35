import { runFastKernel } from '../backend/kernels';
import * as tf from '../backend/tf';

const C = Math.sqrt(2 / Math.PI);
const A = 0.044715;

/**
 * GELU, tanh approximation (GPT-2's, fairseq's gelu_accurate), written with the identity
 * 0.5·(1 + tanh(u)) = sigmoid(2u): wasm's Sigmoid is vectorised, its Tanh ~10× slower.
 * One taped op that keeps x and s = sigmoid(2u) for the backward pass instead of every
 * intermediate of the formula; on wasm the polynomial and the whole derivative are one kernel
 * each (kernels.wat) instead of about five and eight elementwise ops.
 */
export const gelu = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  // tf.tidy: intermediates of a custom op are otherwise kept until the whole gradient computation ends.
  const s = tf.tidy(() => tf.sigmoid(runFastKernel('geluInput', { x }, () => x.add(x.mul(x).mul(x).mul(A)).mul(2 * C))));
  save([x, s]);
  return {
    value: x.mul(s),
    // d/dx x·s = s + x·s·(1 − s)·2C·(1 + 3A·x²)
    gradFunc: (dy: tf.Tensor, [savedX, savedS]: tf.Tensor[]) =>
      runFastKernel('geluGrad', { dy, x: savedX, s: savedS }, () =>
        tf.tidy(() => {
          const ds = savedS.mul(tf.scalar(1).sub(savedS)).mul(savedX.mul(savedX).mul(3 * A).add(1)).mul(savedX).mul(2 * C);
          return dy.mul(savedS.add(ds));
        }),
      ),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;
