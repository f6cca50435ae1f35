import { defineKernel, lastAxisFits } from './kernelEnv';

/** LayerNorm's input gradient from dy, x̂, 1/σ and the weight. */
export const LAYER_NORM_GRAD = defineKernel<'dy' | 'xHat' | 'invStd' | 'w'>(
  'DepthLabLayerNormGrad',
  ({ dy }) => dy.rank === 2 && lastAxisFits(dy),
  ({ exports, backend, offset }, { dy, xHat, invStd, w }) => {
    const out = backend.makeOutput(dy.shape, 'float32');
    exports.layerNormGrad(offset(dy), offset(xHat), offset(invStd), offset(w), offset(out), dy.shape[0], dy.shape[1]);
    return out;
  },
);
