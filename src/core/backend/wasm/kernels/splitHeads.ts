import { defineKernel } from './kernelEnv';

/** [batch·length, parts·d] → parts × [batch, heads, length, d/heads]. */
export const SPLIT_HEADS = defineKernel<'x', 'batch' | 'heads' | 'parts'>(
  'DepthLabSplitHeads',
  () => true,
  ({ exports, backend, offset }, { x }, { batch, heads, parts }) => {
    const [rows, width] = x.shape;
    const [length, headDim] = [rows / batch, width / parts / heads];
    return Array.from({ length: parts }, (_, part) => {
      const out = backend.makeOutput([batch, heads, length, headDim], 'float32');
      exports.permuteHeads(offset(x), offset(out), batch, length, heads, headDim, width, part * heads * headDim, 1);
      return out;
    });
  },
);
