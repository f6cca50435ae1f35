import { defineKernel, sizeOf } from './kernelEnv';

/** One AdamW step of a parameter → the parameter, first and second moments after it. */
export const ADAM_W = defineKernel<'param' | 'grad' | 'm' | 'v', 'beta1' | 'beta2' | 'epsilon' | 'lr' | 'decay' | 'step'>(
  'DepthLabAdamW',
  ({ param }) => param.size % 4 === 0,
  ({ exports, backend, offset }, { param, grad, m, v }, { beta1, beta2, epsilon, lr, decay, step }) => {
    const [pOut, mOut, vOut] = [0, 1, 2].map(() => backend.makeOutput(param.shape, 'float32'));
    const [c1, c2] = [1 - beta1 ** step, 1 - beta2 ** step];
    exports.adamW(offset(param), offset(grad), offset(m), offset(v), offset(pOut), offset(mOut), offset(vOut), sizeOf(param.shape), beta1, beta2, c1, c2, epsilon, lr, decay);
    return [pOut, mOut, vOut];
  },
);
