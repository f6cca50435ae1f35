import * as fs from 'node:fs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { builtFile } from '../files/builtFile';
import * as tf from './tf';

/** Kernel names in TF.js's registry; `runFastKernel` falls back where they are not registered. */
export const BATCH_MAT_MUL = 'DepthLabBatchMatMul';
export const COLUMN_SUMS = 'DepthLabColumnSums';

interface Kernels {
  bmm(a: number, b: number, c: number, batch: number, m: number, k: number, n: number): void;
  columnSums(x: number, out: number, rows: number, cols: number): void;
}

interface WasmModule {
  asm: { memory: WebAssembly.Memory };
}

/**
 * Registers our SIMD kernels (kernels.wat, compiled to dist/wasm/kernels.wasm by the build) as
 * TF.js kernels of the wasm backend. The module imports TF.js's own memory, so a kernel reads
 * its inputs and writes a TF.js-allocated output in place. Without the built file nothing is
 * registered and every caller takes TF.js's own path.
 */
export function registerWasmKernels(): void {
  if (tf.getKernel(BATCH_MAT_MUL, 'wasm')) return;
  const file = builtFile('wasm/kernels.wasm');
  if (!fs.existsSync(file)) return;
  const backend = tf.findBackend('wasm') as unknown as BackendWasm & { wasm: WasmModule };
  const kernels = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), { tfjs: { memory: backend.wasm.asm.memory } }).exports as unknown as Kernels;
  const offset = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);

  tf.registerKernel({
    kernelName: BATCH_MAT_MUL,
    backendName: 'wasm',
    kernelFunc: ({ inputs }) => {
      const { a, b } = inputs as Record<'a' | 'b', tf.TensorInfo>;
      const [batch, heads, m, k] = a.shape;
      const n = b.shape[3];
      const out = backend.makeOutput([batch, heads, m, n], 'float32');
      kernels.bmm(offset(a), offset(b), offset(out), batch * heads, m, k, n);
      return out;
    },
  });
  tf.registerKernel({
    kernelName: COLUMN_SUMS,
    backendName: 'wasm',
    kernelFunc: ({ inputs }) => {
      const { x } = inputs as Record<'x', tf.TensorInfo>;
      const [rows, cols] = x.shape;
      const out = backend.makeOutput([cols], 'float32');
      kernels.columnSums(offset(x), offset(out), rows, cols);
      return out;
    },
  });
}

/** Runs a registered fast kernel on the active backend when `usable`, else `fallback` (TF.js's own ops). */
export function runFastKernel<T extends tf.Tensor>(name: string, inputs: tf.NamedTensorMap, usable: boolean, fallback: () => T): T {
  return usable && tf.getKernel(name, tf.getBackend()) ? (tf.engine().runKernel(name, inputs, {}) as T) : fallback();
}
