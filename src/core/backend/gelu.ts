import * as tf from './tf';

const C = Math.sqrt(2 / Math.PI);
const A = 0.044715;

/**
 * GELU, tanh approximation (GPT-2's, fairseq's gelu_accurate), as one taped op: TF.js would keep
 * every intermediate of the formula for the backward pass (about ten [rows, ffn] tensors a layer);
 * this keeps x and tanh(u) and writes the derivative out. x·x·x, not pow: pow is 15× slower on wasm.
 */
export const gelu = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  // tf.tidy: intermediates of a custom op are otherwise kept until the whole gradient computation ends.
  const t = tf.tidy(() => tf.tanh(x.add(x.mul(x).mul(x).mul(A)).mul(C)));
  save([x, t]);
  return {
    value: tf.tidy(() => x.mul(0.5).mul(t.add(1))),
    // d/dx 0.5·x·(1 + t) = 0.5·(1 + t) + 0.5·x·(1 − t²)·C·(1 + 3A·x²)
    gradFunc: (dy: tf.Tensor, [savedX, savedT]: tf.Tensor[]) =>
      tf.tidy(() => {
        const dt = tf.scalar(1).sub(savedT.mul(savedT)).mul(savedX.mul(savedX).mul(3 * A).add(1)).mul(savedX).mul(0.5 * C);
        return dy.mul(savedT.add(1).mul(0.5).add(dt));
      }),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;
