import * as tf from './tf';

const C = Math.sqrt(2 / Math.PI);
const A = 0.044715;

/**
 * GELU, tanh approximation (GPT-2's, fairseq's gelu_accurate), as one taped op: TF.js would keep
 * every intermediate of the formula for the backward pass (about ten [rows, ffn] tensors a layer);
 * this keeps x and s and writes the derivative out. Written with the identity
 * 0.5·(1 + tanh(u)) = sigmoid(2u): wasm's Sigmoid is vectorised, its Tanh is ~10× slower.
 * x·x·x, not pow: pow is 15× slower on wasm.
 */
export const gelu = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  // tf.tidy: intermediates of a custom op are otherwise kept until the whole gradient computation ends.
  const s = tf.tidy(() => tf.sigmoid(x.add(x.mul(x).mul(x).mul(A)).mul(2 * C)));
  save([x, s]);
  return {
    value: x.mul(s),
    // d/dx x·s(2u) = s + x·s·(1 − s)·2C·(1 + 3A·x²)
    gradFunc: (dy: tf.Tensor, [savedX, savedS]: tf.Tensor[]) =>
      tf.tidy(() => {
        const ds = savedS.mul(tf.scalar(1).sub(savedS)).mul(savedX.mul(savedX).mul(3 * A).add(1)).mul(savedX).mul(2 * C);
        return dy.mul(savedS.add(ds));
      }),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;
