import { columnSums } from './columnSums';
import { runFastKernel } from '../backend/kernels';
import * as tf from '../backend/tf';

/**
 * LayerNorm over the last axis of a 2D x (eps as in PyTorch), as one taped op, forward and backward
 * one kernel each on wasm. It keeps x̂ and 1/σ instead of every intermediate of moments, sub, rsqrt,
 * mul and add, for the textbook backward:
 *   dx̂ = dy·w;  dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / σ;  dw = Σ dy·x̂;  db = Σ dy
 */
export const layerNorm = tf.customGrad(((x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, save: tf.GradSaveFunc) => {
  // tf.tidy: intermediates of a custom op are otherwise kept until the whole gradient computation ends.
  const [value, normalized, inverseStd] = runFastKernel('layerNorm', { x, w: weight, b: bias }, () =>
    tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      const invStd = tf.rsqrt(variance.add(1e-5));
      const xHat = x.sub(mean).mul(invStd);
      return [xHat.mul(weight).add(bias), xHat, invStd];
    }),
  );
  save([normalized, inverseStd, weight]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, [xHat, invStd, w]: tf.Tensor[]) =>
      tf.tidy(() => {
        const dx = runFastKernel('layerNormGrad', { dy, xHat, invStd, w }, () => {
          const dxHat = dy.mul(w);
          return dxHat.sub(dxHat.mean(-1, true)).sub(xHat.mul(dxHat.mul(xHat).mean(-1, true))).mul(invStd);
        });
        return [dx, columnSums(dy.mul(xHat) as tf.Tensor2D), columnSums(dy as tf.Tensor2D)];
      }),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor) => tf.Tensor2D;
