import { defineKernel, lastAxisFits } from './kernelEnv';

/** LayerNorm of [rows, cols] → y, x̂ and 1/σ [rows, 1] (the last two for the gradient). */
export const LAYER_NORM = defineKernel<'x' | 'w' | 'b'>(
  'DepthLabLayerNorm',
  ({ x }) => x.rank === 2 && lastAxisFits(x),
  ({ exports, backend, offset }, { x, w, b }) => {
    const [rows, cols] = x.shape;
    const [y, xHat, invStd] = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput(x.shape, 'float32'), backend.makeOutput([rows, 1], 'float32')];
    exports.layerNorm(offset(x), offset(w), offset(b), offset(xHat), offset(invStd), offset(y), rows, cols);
    return [y, xHat, invStd];
  },
);
