import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { builtFile } from '../../files/builtFile';
import { ADAM_W } from './kernels/adamW';
import { COLUMN_SUMS } from './kernels/columnSums';
import { CROSS_ENTROPY_GRAD } from './kernels/crossEntropyGrad';
import { DROPOUT } from './kernels/dropout';
import { GELU_GRAD } from './kernels/geluGrad';
import { GELU_INPUT } from './kernels/geluInput';
import type { KernelEnv, KernelExports, WasmKernel } from './kernels/kernelEnv';
import { LAYER_NORM } from './kernels/layerNorm';
import { LAYER_NORM_GRAD } from './kernels/layerNormGrad';
import { MAT_MUL } from './kernels/matMul';
import { MERGE_HEADS } from './kernels/mergeHeads';
import { ROW_MAX_SUM_EXP } from './kernels/rowMaxSumExp';
import { SCATTER_ADD_ROWS } from './kernels/scatterAddRows';
import { SPLIT_HEADS } from './kernels/splitHeads';
import { registerSliceInPlace } from './sliceInPlace';
import * as tf from '../tf';
import { replaceWasmKernel } from './wasmHeap';

/** Every kernel of kernels.wat, one file each under kernels/, by the op that runs it (backend/kernels.ts). */
export const WASM_KERNELS = {
  matMul: MAT_MUL,
  columnSums: COLUMN_SUMS,
  splitHeads: SPLIT_HEADS,
  mergeHeads: MERGE_HEADS,
  geluInput: GELU_INPUT,
  geluGrad: GELU_GRAD,
  layerNorm: LAYER_NORM,
  layerNormGrad: LAYER_NORM_GRAD,
  dropout: DROPOUT,
  adamW: ADAM_W,
  scatterAddRows: SCATTER_ADD_ROWS,
  crossEntropyGrad: CROSS_ENTROPY_GRAD,
  rowMaxSumExp: ROW_MAX_SUM_EXP,
} satisfies Record<string, WasmKernel>;

export type KernelName = keyof typeof WASM_KERNELS;

/** Which build of our kernels runs: with relaxed SIMD's fused multiply-add, without it, or none. */
export type KernelBuild = 'relaxed-simd' | 'simd' | 'none';
let kernelBuild: KernelBuild = 'none';

export function wasmKernelBuild(): KernelBuild {
  return kernelBuild;
}

let instance: KernelEnv | undefined;

/**
 * Instantiates kernels.wat (compiled to dist/wasm by the build) on TF.js's own wasm memory, once,
 * and registers every kernel for the wasm backend (again, in place of onnxruntime's products, when
 * a process that ran those switches to plain wasm), so a kernel reads its inputs and writes a
 * TF.js-allocated output in place. Without the built files nothing is registered and every op takes
 * TF.js's own path.
 */
export function registerWasmKernels(): void {
  registerSliceInPlace();
  instance ??= instantiateKernels();
  if (!instance) return;
  for (const kernel of Object.values(WASM_KERNELS)) replaceWasmKernel(kernel.name, kernel.kernelFunc(instance));
}

function instantiateKernels(): KernelEnv | undefined {
  const binary = kernelBinary();
  if (!binary) return undefined;
  const backend = tf.findBackend('wasm') as unknown as BackendWasm & { wasm: { asm: { memory: WebAssembly.Memory } } };
  const module = new WebAssembly.Instance(new WebAssembly.Module(binary.bytes), { tfjs: { memory: backend.wasm.asm.memory } });
  kernelBuild = binary.build;
  return { exports: module.exports as unknown as KernelExports, backend, offset: (t) => backend.getMemoryOffset(t.dataId) };
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
