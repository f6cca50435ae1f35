import { defineKernel } from './kernelEnv';

/** (p − onehot(targets)) · scale for softmax probabilities p [rows, cols], with no one-hot matrix. */
export const CROSS_ENTROPY_GRAD = defineKernel<'probabilities' | 'targets' | 'scale'>(
  'DepthLabCrossEntropyGrad',
  ({ probabilities, targets }) => probabilities.rank === 2 && targets.dtype === 'int32',
  ({ exports, backend, offset }, { probabilities, targets, scale }) => {
    const out = backend.makeOutput(probabilities.shape, 'float32');
    exports.crossEntropyGrad(offset(probabilities), offset(targets), offset(scale), offset(out), probabilities.shape[0], probabilities.shape[1]);
    return out;
  },
);
