import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '../../tf';

/** The functions kernels.wat exports; pointers are byte offsets into TF.js's wasm heap. */
export interface KernelExports {
  matMul(a: number, b: number, c: number, batch: number, m: number, k: number, n: number, transposeA: number): void;
  columnSums(x: number, out: number, rows: number, cols: number): void;
  geluInput(x: number, out: number, n: number): void;
  geluGrad(dy: number, x: number, s: number, out: number, n: number): void;
  layerNorm(x: number, w: number, b: number, xHat: number, invStd: number, y: number, rows: number, cols: number): void;
  layerNormGrad(dy: number, xHat: number, invStd: number, w: number, out: number, rows: number, cols: number): void;
  adamW(p: number, g: number, m: number, v: number, pOut: number, mOut: number, vOut: number, n: number, beta1: number, beta2: number, c1: number, c2: number, epsilon: number, lr: number, decay: number): void;
  dropout(x: number, out: number, n: number, seed: number, threshold: number, scale: number): void;
  permuteHeads(rows: number, heads: number, batch: number, length: number, headCount: number, headDim: number, width: number, column: number, toHeads: number): void;
  scatterAddRows(dy: number, ids: number, out: number, rows: number, cols: number, outRows: number): void;
  crossEntropyGrad(probabilities: number, targets: number, scale: number, out: number, rows: number, cols: number): void;
  rowMaxSumExp(x: number, out: number, rows: number, cols: number): void;
}

/** What a kernel function works with: our module's exports, TF.js's wasm backend, and where a tensor lives on the heap. */
export interface KernelEnv {
  exports: KernelExports;
  backend: BackendWasm;
  offset(tensor: tf.TensorInfo): number;
}

/**
 * One of our kernels as TF.js registers it on the wasm backend. `fits` says whether given inputs
 * suit it (SIMD width, shapes); where they do not, or off wasm, the op takes TF.js's own path.
 */
export interface WasmKernel {
  name: string;
  fits(inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): boolean;
  kernelFunc(env: KernelEnv): tf.KernelFunc;
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
export const lastAxisFits = (x: tf.Tensor, multiple = 4) => x.shape[x.rank - 1] % multiple === 0;

/** A kernel from its name, its fit check, and what it computes given the module and its named inputs and attributes. */
export function defineKernel<I extends string, A extends string = never>(
  name: string,
  fits: (inputs: Record<I, tf.Tensor>, attrs: Record<A, number>) => boolean,
  run: (env: KernelEnv, inputs: Record<I, tf.TensorInfo>, attrs: Record<A, number>) => tf.TensorInfo | tf.TensorInfo[],
): WasmKernel {
  return {
    name,
    fits: (inputs, attrs) => fits(inputs as Record<I, tf.Tensor>, attrs as Record<A, number>),
    kernelFunc: (env) => ({ inputs, attrs }) => run(env, inputs as Record<I, tf.TensorInfo>, attrs as Record<A, number>),
  };
}
