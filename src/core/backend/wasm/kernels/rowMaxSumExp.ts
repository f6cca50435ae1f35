import { defineKernel } from './kernelEnv';

/** Per row of x [rows, cols]: its maximum m and Σ e^(x − m), as [2, rows] (maxima, then sums). */
export const ROW_MAX_SUM_EXP = defineKernel<'x'>(
  'DepthLabRowMaxSumExp',
  ({ x }) => x.rank === 2 && x.dtype === 'float32' && x.size > 0,
  ({ exports, backend, offset }, { x }) => {
    const out = backend.makeOutput([2, x.shape[0]], 'float32');
    exports.rowMaxSumExp(offset(x), offset(out), x.shape[0], x.shape[1]);
    return out;
  },
);
