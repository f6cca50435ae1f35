import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { builtFile } from '../files/builtFile';
import * as tf from './tf';

/** Kernel names in TF.js's registry; `runFastKernel` falls back where they are not registered. */
export const MAT_MUL = 'DepthLabMatMul';
export const COLUMN_SUMS = 'DepthLabColumnSums';
export const SPLIT_HEADS = 'DepthLabSplitHeads';
export const MERGE_HEADS = 'DepthLabMergeHeads';
export const GELU_INPUT = 'DepthLabGeluInput';
export const GELU_GRAD = 'DepthLabGeluGrad';
export const LAYER_NORM = 'DepthLabLayerNorm';
export const LAYER_NORM_GRAD = 'DepthLabLayerNormGrad';
export const DROPOUT = 'DepthLabDropout';
export const ADAM_W = 'DepthLabAdamW';

interface Kernels {
  matMul(a: number, b: number, c: number, batch: number, m: number, k: number, n: number, transposeA: number): void;
  columnSums(x: number, out: number, rows: number, cols: number): void;
  geluInput(x: number, out: number, n: number): void;
  geluGrad(dy: number, x: number, s: number, out: number, n: number): void;
  layerNorm(x: number, w: number, b: number, xHat: number, invStd: number, y: number, rows: number, cols: number): void;
  layerNormGrad(dy: number, xHat: number, invStd: number, w: number, out: number, rows: number, cols: number): void;
  adamW(p: number, g: number, m: number, v: number, pOut: number, mOut: number, vOut: number, n: number, beta1: number, beta2: number, c1: number, c2: number, epsilon: number, lr: number, decay: number): void;
  dropout(x: number, out: number, n: number, seed: number, threshold: number, scale: number): void;
  permuteHeads(rows: number, heads: number, batch: number, length: number, headCount: number, headDim: number, width: number, column: number, toHeads: number): void;
}

interface WasmModule {
  asm: { memory: WebAssembly.Memory };
}

/** Which build of our kernels runs: with relaxed SIMD's fused multiply-add, without it, or none. */
export type KernelBuild = 'relaxed-simd' | 'simd' | 'none';
let kernelBuild: KernelBuild = 'none';

export function wasmKernelBuild(): KernelBuild {
  return kernelBuild;
}

/**
 * Registers our SIMD kernels (kernels.wat, compiled to dist/wasm by the build) as TF.js kernels of
 * the wasm backend. The module imports TF.js's own memory, so a kernel reads its inputs and writes
 * a TF.js-allocated output in place. Without the built files nothing is registered and every caller
 * takes TF.js's own path.
 */
export function registerWasmKernels(): void {
  if (tf.getKernel(MAT_MUL, 'wasm')) return;
  const binary = kernelBinary();
  if (!binary) return;
  const backend = tf.findBackend('wasm') as unknown as BackendWasm & { wasm: WasmModule };
  const kernels = new WebAssembly.Instance(new WebAssembly.Module(binary.bytes), { tfjs: { memory: backend.wasm.asm.memory } }).exports as unknown as Kernels;
  kernelBuild = binary.build;
  const offset = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  const register = (kernelName: string, kernelFunc: tf.KernelFunc) => tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });

  // a·b, or aᵀ·b with transposeA, over the last two axes; the leading axes are a batch.
  register(MAT_MUL, ({ inputs, attrs }) => {
    const { a, b } = inputs as Record<'a' | 'b', tf.TensorInfo>;
    const transposeA = Boolean((attrs as { transposeA?: boolean }).transposeA);
    const rank = a.shape.length;
    const [m, k] = transposeA ? [a.shape[rank - 1], a.shape[rank - 2]] : [a.shape[rank - 2], a.shape[rank - 1]];
    const n = b.shape[rank - 1];
    const leading = a.shape.slice(0, -2);
    const out = backend.makeOutput([...leading, m, n], 'float32');
    kernels.matMul(offset(a), offset(b), offset(out), tf.util.sizeFromShape(leading), m, k, n, transposeA ? 1 : 0);
    return out;
  });
  register(COLUMN_SUMS, ({ inputs }) => {
    const { x } = inputs as Record<'x', tf.TensorInfo>;
    const [rows, cols] = x.shape;
    const out = backend.makeOutput([cols], 'float32');
    kernels.columnSums(offset(x), offset(out), rows, cols);
    return out;
  });
  // [batch·length, parts·d] → parts × [batch, heads, length, d/heads], and back.
  register(SPLIT_HEADS, ({ inputs, attrs }) => {
    const { x } = inputs as Record<'x', tf.TensorInfo>;
    const { batch, heads, parts } = attrs as Record<'batch' | 'heads' | 'parts', number>;
    const [rows, width] = x.shape;
    const [length, headDim] = [rows / batch, width / parts / heads];
    return Array.from({ length: parts }, (_, part) => {
      const out = backend.makeOutput([batch, heads, length, headDim], 'float32');
      kernels.permuteHeads(offset(x), offset(out), batch, length, heads, headDim, width, part * heads * headDim, 1);
      return out;
    });
  });
  register(MERGE_HEADS, ({ inputs }) => {
    const parts = Object.values(inputs) as tf.TensorInfo[];
    const [batch, heads, length, headDim] = parts[0].shape;
    const width = parts.length * heads * headDim;
    const out = backend.makeOutput([batch * length, width], 'float32');
    parts.forEach((part, i) => kernels.permuteHeads(offset(out), offset(part), batch, length, heads, headDim, width, i * heads * headDim, 0));
    return out;
  });
  register(GELU_INPUT, ({ inputs }) => {
    const { x } = inputs as Record<'x', tf.TensorInfo>;
    const out = backend.makeOutput(x.shape, 'float32');
    kernels.geluInput(offset(x), offset(out), tf.util.sizeFromShape(x.shape));
    return out;
  });
  register(GELU_GRAD, ({ inputs }) => {
    const { dy, x, s } = inputs as Record<'dy' | 'x' | 's', tf.TensorInfo>;
    const out = backend.makeOutput(x.shape, 'float32');
    kernels.geluGrad(offset(dy), offset(x), offset(s), offset(out), tf.util.sizeFromShape(x.shape));
    return out;
  });
  // [rows, cols] → y, x̂ and 1/σ [rows, 1].
  register(LAYER_NORM, ({ inputs }) => {
    const { x, w, b } = inputs as Record<'x' | 'w' | 'b', tf.TensorInfo>;
    const [rows, cols] = x.shape;
    const [y, xHat, invStd] = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput(x.shape, 'float32'), backend.makeOutput([rows, 1], 'float32')];
    kernels.layerNorm(offset(x), offset(w), offset(b), offset(xHat), offset(invStd), offset(y), rows, cols);
    return [y, xHat, invStd];
  });
  register(LAYER_NORM_GRAD, ({ inputs }) => {
    const { dy, xHat, invStd, w } = inputs as Record<'dy' | 'xHat' | 'invStd' | 'w', tf.TensorInfo>;
    const out = backend.makeOutput(dy.shape, 'float32');
    kernels.layerNormGrad(offset(dy), offset(xHat), offset(invStd), offset(w), offset(out), dy.shape[0], dy.shape[1]);
    return out;
  });
  // → the parameter, first and second moments after one step.
  register(ADAM_W, ({ inputs, attrs }) => {
    const { param, grad, m, v } = inputs as Record<'param' | 'grad' | 'm' | 'v', tf.TensorInfo>;
    const { beta1, beta2, epsilon, lr, decay, step } = attrs as Record<'beta1' | 'beta2' | 'epsilon' | 'lr' | 'decay' | 'step', number>;
    const [pOut, mOut, vOut] = [0, 1, 2].map(() => backend.makeOutput(param.shape, 'float32'));
    const n = tf.util.sizeFromShape(param.shape);
    kernels.adamW(offset(param), offset(grad), offset(m), offset(v), offset(pOut), offset(mOut), offset(vOut), n, beta1, beta2, 1 - beta1 ** step, 1 - beta2 ** step, epsilon, lr, decay);
    return [pOut, mOut, vOut];
  });
  register(DROPOUT, ({ inputs, attrs }) => {
    const { x } = inputs as Record<'x', tf.TensorInfo>;
    const { rate, seed } = attrs as Record<'rate' | 'seed', number>;
    const out = backend.makeOutput(x.shape, 'float32');
    kernels.dropout(offset(x), offset(out), tf.util.sizeFromShape(x.shape), seed, Math.min(Math.ceil((1 - rate) * 2 ** 32), 2 ** 32 - 1) | 0, 1 / (1 - rate));
    return out;
  });
}

/**
 * The relaxed-SIMD build where the engine runs it. Node 20 has relaxed SIMD behind a V8 flag (on by
 * default from Node 22 and in VS Code's Electron), so the flag is set when validation first fails.
 */
function kernelBinary(): { bytes: Uint8Array<ArrayBuffer>; build: KernelBuild } | undefined {
  const relaxed = builtFile('wasm/kernels-relaxed.wasm');
  const plain = builtFile('wasm/kernels.wasm');
  if (fs.existsSync(relaxed)) {
    const bytes = new Uint8Array(fs.readFileSync(relaxed));
    if (!WebAssembly.validate(bytes)) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    if (WebAssembly.validate(bytes)) return { bytes, build: 'relaxed-simd' };
  }
  return fs.existsSync(plain) ? { bytes: new Uint8Array(fs.readFileSync(plain)), build: 'simd' } : undefined;
}

/** Runs a registered fast kernel on the active backend when `usable`, else `fallback` (TF.js's own ops). */
export function runFastKernel<T extends tf.Tensor | tf.Tensor[]>(name: string, inputs: tf.NamedTensorMap, usable: boolean, fallback: () => T, attrs: tf.NamedAttrMap = {}): T {
  return usable && tf.getKernel(name, tf.getBackend()) ? (tf.engine().runKernel(name, inputs, attrs) as T) : fallback();
}
