import { defineKernel } from './kernelEnv';

/** out [rows, cols] = Σ of dy's rows into the rows their ids name: an embedding table's gradient. */
export const SCATTER_ADD_ROWS = defineKernel<'dy' | 'ids', 'rows'>(
  'DepthLabScatterAddRows',
  ({ dy, ids }) => dy.rank === 2 && ids.dtype === 'int32',
  ({ exports, backend, offset }, { dy, ids }, { rows }) => {
    const out = backend.makeOutput([rows, dy.shape[1]], 'float32');
    exports.scatterAddRows(offset(dy), offset(ids), offset(out), dy.shape[0], dy.shape[1], rows);
    return out;
  },
);
