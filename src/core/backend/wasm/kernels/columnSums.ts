import { defineKernel, lastAxisFits } from './kernelEnv';

/** Σ over the rows of a 2D x, adding rows in place. */
export const COLUMN_SUMS = defineKernel<'x'>(
  'DepthLabColumnSums',
  ({ x }) => x.rank === 2 && lastAxisFits(x),
  ({ exports, backend, offset }, { x }) => {
    const out = backend.makeOutput([x.shape[1]], 'float32');
    exports.columnSums(offset(x), offset(out), x.shape[0], x.shape[1]);
    return out;
  },
);
