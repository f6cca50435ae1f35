import * as fs from 'node:fs';
import * as path from 'node:path';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf';
import type { BackendDescription } from '../backendDescription';
import { shareIdentityBuffersOnWasm } from './sharedIdentity';
import { registerWasmKernels } from './wasmKernels';

/** TF.js's wasm backend with our SIMD kernels and in-place slices and identities registered on it. */
export async function activateWasm(): Promise<void> {
  setWasmPaths(wasmDirectory());
  if (!(await tf.setBackend('wasm'))) throw new Error('failed to initialise');
  await tf.ready();
  shareIdentityBuffersOnWasm();
  registerWasmKernels();
}

/** The CPU through WebAssembly, bundled: one core per engine instance, its tensors on a heap of 4 GiB at most. */
export const WASM: BackendDescription = {
  name: 'wasm',
  device: 'cpu',
  memory: 'wasm-heap',
  threading: 'depthlab-threads',
  products: "DepthLab's SIMD kernels (kernels.wat)",
  models: 'depthlab',
  async activate() {
    await activateWasm();
    return 'CPU';
  },
  deactivate() {},
};

/** The wasm binaries: beside the bundle when packaged, else in node_modules. */
function wasmDirectory(): string {
  const besideBundle = path.join(__dirname, 'wasm');
  if (fs.existsSync(path.join(besideBundle, 'tfjs-backend-wasm.wasm'))) return besideBundle + path.sep;
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
}
