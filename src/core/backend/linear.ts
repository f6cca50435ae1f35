import * as tf from './tf';

/**
 * x·W for 2D x and W, with a gradient that transposes explicitly. TF.js's own gradient uses
 * matMul's transposeA/transposeB flags, which the wasm backend runs about 10× slower than an
 * explicit transpose followed by a plain matMul (`npm run bench` shows the figures).
 */
export const linear = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    // tf.tidy frees the transposes now instead of at the end of the whole gradient computation.
    gradFunc: (dy: tf.Tensor, [savedX, savedW]: tf.Tensor[]) =>
      tf.tidy(() => [
        tf.matMul(dy as tf.Tensor2D, tf.transpose(savedW as tf.Tensor2D)),
        tf.matMul(tf.transpose(savedX as tf.Tensor2D), dy as tf.Tensor2D),
      ]),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;
