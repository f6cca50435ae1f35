import { defineKernel, sizeOf } from './kernelEnv';

/** dy · GELU'(x), given s = sigmoid of GELU's argument from the forward pass. */
export const GELU_GRAD = defineKernel<'dy' | 'x' | 's'>(
  'DepthLabGeluGrad',
  ({ x }) => x.size % 4 === 0,
  ({ exports, backend, offset }, { dy, x, s }) => {
    const out = backend.makeOutput(x.shape, 'float32');
    exports.geluGrad(offset(dy), offset(x), offset(s), offset(out), sizeOf(x.shape));
    return out;
  },
);
