import { defineKernel, sizeOf } from './kernelEnv';

/** x · mask, the mask drawn by mulberry32 in four SIMD lanes from the seed (the Rng's own stream). */
export const DROPOUT = defineKernel<'x', 'rate' | 'seed'>(
  'DepthLabDropout',
  ({ x }) => x.size % 4 === 0,
  ({ exports, backend, offset }, { x }, { rate, seed }) => {
    const out = backend.makeOutput(x.shape, 'float32');
    const threshold = Math.min(Math.ceil((1 - rate) * 2 ** 32), 2 ** 32 - 1) | 0;
    exports.dropout(offset(x), offset(out), sizeOf(x.shape), seed, threshold, 1 / (1 - rate));
    return out;
  },
);
