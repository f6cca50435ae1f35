import { runFastKernel } from '../backend/kernels';
import * as tf from '../backend/tf';

/**
 * The table's row for each id, by gather (an embedding's rows, or a masked LM's scored rows of the
 * stream): memory and work in proportion to the ids, where a one-hot product costs ids × rows
 * (50,257 for GPT-2's vocabulary). The gradient adds dy's rows into the rows they came from; wasm
 * has no UnsortedSegmentSum (which tf.gather's gradient needs), so there it is one of our kernels.
 */
const lookup = tf.customGrad(((table: tf.Tensor2D, ids: tf.Tensor1D, save: tf.GradSaveFunc) => {
  const rows = table.shape[0];
  save([ids]);
  return {
    value: tf.gather(table, ids),
    gradFunc: (dy: tf.Tensor2D, [savedIds]: tf.Tensor[]) => [
      runFastKernel('scatterAddRows', { dy, ids: savedIds }, () => tf.unsortedSegmentSum(dy, savedIds as tf.Tensor1D, rows), { rows }),
      tf.zerosLike(savedIds),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (table: tf.Tensor2D, ids: tf.Tensor1D) => tf.Tensor2D;

export function gatherRows(table: tf.Tensor2D, ids: Int32Array): tf.Tensor2D {
  return lookup(table, tf.tensor1d(ids, 'int32'));
}
