import * as tf from '../tf';
import type { BackendDescription } from '../backendDescription';

/** TF.js's plain JavaScript backend: slow, for checks; nothing to install. */
export const CPU: BackendDescription = {
  name: 'cpu',
  device: 'cpu',
  memory: 'process',
  threading: 'depthlab-threads',
  products: "TF.js's JavaScript kernels",
  models: 'depthlab',
  async activate() {
    if (!(await tf.setBackend('cpu'))) throw new Error('failed to initialise');
    await tf.ready();
    return 'CPU';
  },
  deactivate() {},
};
