import { defineKernel, sizeOf } from './kernelEnv';

/** a·b, or aᵀ·b with transposeA (1), over the last two axes; the leading axes are a batch (equal in a and b). */
export const MAT_MUL = defineKernel<'a' | 'b', 'transposeA'>(
  'DepthLabMatMul',
  ({ a, b }, { transposeA }) => {
    const k = a.shape[transposeA ? a.rank - 2 : a.rank - 1];
    return a.rank === b.rank && a.shape.slice(0, -2).every((size, i) => size === b.shape[i]) && k === b.shape[b.rank - 2];
  },
  ({ exports, backend, offset }, { a, b }, { transposeA }) => {
    const rank = a.shape.length;
    const [m, k] = transposeA ? [a.shape[rank - 1], a.shape[rank - 2]] : [a.shape[rank - 2], a.shape[rank - 1]];
    const n = b.shape[rank - 1];
    const leading = a.shape.slice(0, -2);
    const out = backend.makeOutput([...leading, m, n], 'float32');
    exports.matMul(offset(a), offset(b), offset(out), sizeOf(leading), m, k, n, transposeA ? 1 : 0);
    return out;
  },
);
