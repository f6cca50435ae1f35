import { runFastKernel } from '../backend/kernels';
import * as tf from '../backend/tf';
import { oneHotFloat } from './oneHot';
import { logSumExpRows } from './rowMaxSumExp';

/**
 * Mean softmax cross-entropy of logits [rows, classes] against target ids: log Σ exp(logits) minus
 * the target's logit, picked by gather. The gradient, (softmax − onehot(targets)) / rows, is one of
 * our kernels on wasm, which writes it without a one-hot matrix; other backends subtract a one-hot.
 */
const meanCrossEntropy = tf.customGrad(((logits: tf.Tensor2D, targets: tf.Tensor1D, save: tf.GradSaveFunc) => {
  const [rows, classes] = logits.shape;
  save([logits, targets]);
  const value = tf.tidy(() => perRow(logits, targets).mean());
  return {
    value,
    gradFunc: (dy: tf.Scalar, [savedLogits, savedTargets]: tf.Tensor[]) =>
      tf.tidy(() => {
        const probabilities = tf.softmax(savedLogits);
        const scale = dy.div(rows).reshape([1]);
        return [
          runFastKernel('crossEntropyGrad', { probabilities, targets: savedTargets, scale }, () => probabilities.sub(oneHotFloat(savedTargets as tf.Tensor1D, classes)).mul(scale)),
          tf.zerosLike(savedTargets),
        ];
      }),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (logits: tf.Tensor2D, targets: tf.Tensor1D) => tf.Scalar;

export function crossEntropy(logits: tf.Tensor2D, targets: Int32Array): tf.Scalar {
  return meanCrossEntropy(logits, tf.tensor1d(targets, 'int32'));
}

/** Each row's cross-entropy against its target, [rows]: log Σ exp(logits) minus the target's logit. Evaluation only (no custom gradient). */
export function tokenCrossEntropy(logits: tf.Tensor2D, targets: Int32Array): tf.Tensor1D {
  return tf.tidy(() => perRow(logits, tf.tensor1d(targets, 'int32')));
}

function perRow(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const [rows, classes] = logits.shape;
  const flat = targets.add(tf.range(0, rows, 1, 'int32').mul(tf.scalar(classes, 'int32')));
  return logSumExpRows(logits).sub(tf.gather(logits.reshape([-1]), flat));
}
