import { kernelName, runFastKernel } from '../backend/kernels';
import * as tf from '../backend/tf';

interface HeadsAttrs {
  batch: number;
  heads: number;
  parts: number;
}

/**
 * [batch·length, parts·d] → `parts` tensors [batch, heads, length, d/heads] (q, k and v from one
 * projection). On wasm one kernel copies each head's run of columns into place: TF.js would split
 * the columns (SplitV, ~8 ms for [2048, 384]) and transpose each part, and undo both backwards.
 */
export function splitHeads(x: tf.Tensor2D, batch: number, heads: number, parts: number): tf.Tensor4D[] {
  const length = x.shape[0] / batch;
  const headDim = x.shape[1] / parts / heads;
  const attrs: HeadsAttrs = { batch, heads, parts };
  return runFastKernel(
    'splitHeads',
    { x },
    () => tf.split(x, parts, 1).map((part) => part.reshape([batch, length, heads, headDim]).transpose([0, 2, 1, 3]) as tf.Tensor4D),
    attrs as unknown as tf.NamedAttrMap,
  );
}

/** The inverse of `splitHeads`: `parts` tensors [batch, heads, length, headDim] → [batch·length, parts·heads·headDim]. */
export function mergeHeads(parts: tf.Tensor4D[]): tf.Tensor2D {
  const [batch, heads, length, headDim] = parts[0].shape;
  const attrs: HeadsAttrs = { batch, heads, parts: parts.length };
  return runFastKernel(
    'mergeHeads',
    Object.fromEntries(parts.map((part, i) => [`part${i}`, part])),
    () => tf.concat(parts.map((part) => part.transpose([0, 2, 1, 3]).reshape([batch * length, heads * headDim])), 1) as tf.Tensor2D,
    attrs as unknown as tf.NamedAttrMap,
  );
}

// Each kernel's gradient is the other; TF.js's own ops (the fallback) carry their own gradients.
tf.registerGradient({
  kernelName: kernelName('splitHeads'),
  gradFunc: (dys: tf.Tensor | tf.Tensor[]) => ({ x: () => mergeHeads(dys as tf.Tensor4D[]) }),
});
tf.registerGradient({
  kernelName: kernelName('mergeHeads'),
  gradFunc: (dy: tf.Tensor | tf.Tensor[], _saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const { batch, heads, parts } = attrs as unknown as HeadsAttrs;
    const grads = splitHeads(dy as tf.Tensor2D, batch, heads, parts);
    return Object.fromEntries(grads.map((grad, i) => [`part${i}`, () => grad]));
  },
});
