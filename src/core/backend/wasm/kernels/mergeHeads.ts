import type * as tf from '../../tf';
import { defineKernel } from './kernelEnv';

/** parts × [batch, heads, length, headDim] → [batch·length, parts·heads·headDim]: the inverse of SPLIT_HEADS. */
export const MERGE_HEADS = defineKernel<string>(
  'DepthLabMergeHeads',
  () => true,
  ({ exports, backend, offset }, inputs) => {
    const parts = Object.values(inputs) as tf.TensorInfo[];
    const [batch, heads, length, headDim] = parts[0].shape;
    const width = parts.length * heads * headDim;
    const out = backend.makeOutput([batch * length, width], 'float32');
    parts.forEach((part, i) => exports.permuteHeads(offset(out), offset(part), batch, length, heads, headDim, width, i * heads * headDim, 0));
    return out;
  },
);
