import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf';

/** TF.js's wasm backend as kernels that work on its heap see it. */
export type HeapBackend = BackendWasm & {
  typedArrayFromHeap(tensor: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
};

/** Registers `kernelFunc` as the wasm backend's `kernelName`, in place of TF.js's or ours. */
export function replaceWasmKernel(kernelName: string, kernelFunc: tf.KernelFunc): void {
  if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
}
