import { defineKernel, sizeOf } from './kernelEnv';

/** 2C·(x + A·x³), the argument of GELU's sigmoid. */
export const GELU_INPUT = defineKernel<'x'>(
  'DepthLabGeluInput',
  ({ x }) => x.size % 4 === 0,
  ({ exports, backend, offset }, { x }) => {
    const out = backend.makeOutput(x.shape, 'float32');
    exports.geluInput(offset(x), offset(out), sizeOf(x.shape));
    return out;
  },
);
