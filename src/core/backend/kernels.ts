import * as tf from './tf';
import { productsOnOnnxruntime, TRANSPOSED_B_PRODUCT } from './onnxruntime/onnxProducts';
import { WASM_KERNELS, type KernelName } from './wasm/wasmKernels';

export type { KernelName };
export { TRANSPOSED_B_PRODUCT };

/**
 * DepthLab's own kernels as the ops call them, by name. The wasm backend registers every one of
 * them (kernels.wat); onnxruntime's products take matMul's place. Off those backends, or for
 * shapes a kernel does not fit (SIMD width), an op takes TF.js's own path.
 */
export const kernelName = (kernel: KernelName) => WASM_KERNELS[kernel].name;

/** Whether our kernel runs these inputs: it is registered on the active backend and they fit it. */
export function kernelFits(kernel: KernelName, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): boolean {
  return Boolean(tf.getKernel(kernelName(kernel), tf.getBackend())) && WASM_KERNELS[kernel].fits(inputs, attrs);
}

/** Our kernel where it fits, else `fallback` (TF.js's own ops: other backends, other shapes). */
export function runFastKernel<T extends tf.Tensor | tf.Tensor[]>(kernel: KernelName, inputs: tf.NamedTensorMap, fallback: () => T, attrs: tf.NamedAttrMap = {}): T {
  return kernelFits(kernel, inputs, attrs) ? (tf.engine().runKernel(kernelName(kernel), inputs, attrs) as T) : fallback();
}

/** Whether the active backend's matrix products take any shape as it is (onnxruntime's), rather than padded to our kernel's 4 × 8 tiles. */
export const productsTakeAnyShape = productsOnOnnxruntime;

/** x·wᵀ against w's first `rows` rows as one product, where the active backend has a kernel for it (onnxruntime's); else undefined. */
export function transposedBProduct(x: tf.Tensor2D, w: tf.Tensor2D, rows: number): tf.Tensor2D | undefined {
  return productsOnOnnxruntime() ? (tf.engine().runKernel(TRANSPOSED_B_PRODUCT, { a: x, b: w }, { rows }) as tf.Tensor2D) : undefined;
}
