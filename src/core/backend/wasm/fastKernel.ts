import type { WasmKernel } from './kernels/kernelEnv';
import * as tf from '../tf';

/** Whether our kernel runs these inputs: it is registered on the active backend and they fit it. */
export function kernelFits(kernel: WasmKernel, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): boolean {
  return Boolean(tf.getKernel(kernel.name, tf.getBackend())) && kernel.fits(inputs, attrs);
}

/** Our kernel where it fits, else `fallback` (TF.js's own ops: other backends, other shapes). */
export function runFastKernel<T extends tf.Tensor | tf.Tensor[]>(kernel: WasmKernel, inputs: tf.NamedTensorMap, fallback: () => T, attrs: tf.NamedAttrMap = {}): T {
  return kernelFits(kernel, inputs, attrs) ? (tf.engine().runKernel(kernel.name, inputs, attrs) as T) : fallback();
}
