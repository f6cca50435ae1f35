import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from './tf';

/**
 * A float32 tensor's values, read where they lie: on wasm a view of the heap (valid until the next
 * tensor is allocated, which may grow and move the heap), where dataSync() would copy them into a
 * new array. At a few megabytes of gradients a step, those arrays made V8 run a full collection
 * every step.
 */
export function valuesInPlace(tensor: tf.Tensor): Float32Array {
  if (tf.getBackend() !== 'wasm') return tensor.dataSync() as Float32Array;
  const backend = tf.backend() as unknown as BackendWasm & { wasm: { HEAPF32: Float32Array } };
  const start = backend.getMemoryOffset(tensor.dataId) / Float32Array.BYTES_PER_ELEMENT;
  return backend.wasm.HEAPF32.subarray(start, start + tensor.size);
}
