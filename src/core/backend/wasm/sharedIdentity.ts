import * as tf from '../tf';
import { replaceWasmKernel } from './wasmHeap';

interface RefCounted {
  incRef(dataId: tf.DataId): void;
}

/** Identity that shares the input's buffer, counting one more reference, as the cpu backend's does. */
const identity: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  (backend as unknown as RefCounted).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/**
 * TF.js clones every tensor a kernel or custom op saves for its gradient (about 350 a training
 * step), and wasm's Identity copies the bytes. Tensors are immutable (a variable's assign swaps its
 * buffer, it never writes into one), so sharing the buffer is safe and the copies go away.
 */
export function shareIdentityBuffersOnWasm(): void {
  if (tf.getKernel('Identity', 'wasm')?.kernelFunc === identity) return;
  replaceWasmKernel('Identity', identity);
}
