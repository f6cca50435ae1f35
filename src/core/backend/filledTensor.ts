import * as tf from './tf';
import { tensorsOnWasmHeap } from './backends';
import type { HeapBackend } from './wasm/wasmHeap';

/**
 * A float32 tensor of `shape` whose values `fill` writes: on wasm straight into its place on the
 * heap, elsewhere into a new array. A streamed model's layer (an 8B one is 0.87 GB of float32)
 * then needs no array of its own beside the heap, nor a copy into it.
 */
export function filledTensor(shape: number[], fill: (values: Float32Array) => void): tf.Tensor {
  if (!tensorsOnWasmHeap()) {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    fill(values);
    return tf.tensor(values, shape);
  }
  const backend = tf.backend() as unknown as HeapBackend;
  const info = backend.makeOutput(shape, 'float32');
  // The view is taken after makeOutput (which may grow the heap); `fill` allocates no tensors.
  fill(backend.typedArrayFromHeap(info) as Float32Array);
  return tf.engine().makeTensorFromTensorInfo(info);
}
