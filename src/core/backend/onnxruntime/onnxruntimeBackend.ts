import type { BackendDescription } from '../backendDescription';
import { activateWasm } from '../wasm/wasmBackend';
import { loadOnnxRuntime } from './onnxruntimeAddon';
import { registerOnnxProducts, removeOnnxProducts } from './onnxProducts';

/** The wasm backend with every matrix product on onnxruntime's CPU kernels (MLAS), from the platform packages. */
export const ONNXRUNTIME: BackendDescription = {
  name: 'onnxruntime',
  device: 'cpu',
  memory: 'wasm-heap',
  threading: 'depthlab-threads',
  products: "onnxruntime's CPU kernels (MLAS)",
  models: 'depthlab',
  async activate() {
    // Loaded before wasm starts, so a failed load leaves this process's wasm backend as it was.
    const runtime = loadOnnxRuntime();
    await activateWasm();
    registerOnnxProducts(runtime);
    return `CPU; matrix products on onnxruntime ${runtime.version}`;
  },
  deactivate: removeOnnxProducts,
};
