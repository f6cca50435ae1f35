import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from './tf';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from '../config/choices';
import { UserError } from '../errors';
import { loadOnnxRuntime } from './onnxruntime/onnxruntimeAddon';
import { registerOnnxProducts, removeOnnxProducts } from './onnxruntime/onnxProducts';
import { shareIdentityBuffersOnWasm } from './wasm/sharedIdentity';
import { registerWasmKernels } from './wasm/wasmKernels';
import { adapterText } from './webgpu/gpuAdapter';
import { activateWebGpu } from './webgpu/webgpuBackend';

export type ResolvedBackend = Exclude<BackendName, 'auto'>;

/** The backend a job runs on, the device it runs on, and why it was chosen: the run's first line says all three. */
export interface BackendChoice {
  backend: ResolvedBackend;
  device: string;
  why: string;
}

/** Which npm package provides each native backend, in the order `auto` tries them. */
const NATIVE_PACKAGES: Array<[ResolvedBackend, string]> = [
  ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
  ['tensorflow', '@tensorflow/tfjs-node'],
];

/** Backends that compute on a GPU, in its own memory: they hold a model whole. */
export const usesGpu = (backend: string) => backend === 'webgpu' || backend === 'tensorflow-gpu';

/** Backends whose tensors live on TF.js's wasm heap (at most 4 GiB). */
export const onWasmHeap = (backend: string) => backend === 'onnxruntime' || backend === 'wasm';

const AUTO_ORDER: ResolvedBackend[] = ['webgpu', 'tensorflow-gpu', 'tensorflow', 'onnxruntime', 'wasm', 'cpu'];

let active: BackendChoice | undefined;

/** The choice of this process's first `selectBackend`. */
export const activeBackend = () => active;

/**
 * Pick the compute backend: a hardware WebGPU adapter, then tfjs-node-gpu, then tfjs-node, then
 * wasm with its products on onnxruntime, then wasm, then cpu. `auto` never takes a software GPU adapter; naming `webgpu` does. Both native
 * packages register the same TF.js backend name ('tensorflow'); they share the engine with our
 * tfjs-core because TF.js keeps its engine in a global.
 */
export async function selectBackend(requested: BackendName = 'auto'): Promise<ResolvedBackend> {
  return (await chooseBackend(requested)).backend;
}

export async function chooseBackend(requested: BackendName = 'auto'): Promise<BackendChoice> {
  if (active && (requested === 'auto' || requested === active.backend)) return active;
  const order = requested === 'auto' ? AUTO_ORDER : [requested];
  const failures: Array<[ResolvedBackend, string]> = [];
  for (const candidate of order) {
    try {
      const device = await activate(candidate, requested === 'auto');
      const why = requested !== 'auto' ? 'requested' : failures.length ? `auto; ${skipped(failures)}` : 'auto';
      active = { backend: candidate, device, why };
      return active;
    } catch (error) {
      failures.push([candidate, (error as Error).message.split('\n')[0]]);
    }
  }
  throw new UserError(`backend "${requested}" is not available here (${skipped(failures)}); allowed: ${AUTO_ORDER.join(', ')}, auto`);
}

/** "webgpu: no adapter …; tensorflow-gpu, tensorflow: not installed": each reason once. */
function skipped(failures: Array<[ResolvedBackend, string]>): string {
  const byReason = new Map<string, ResolvedBackend[]>();
  for (const [backend, reason] of failures) byReason.set(reason, [...(byReason.get(reason) ?? []), backend]);
  return [...byReason].map(([reason, backends]) => `${backends.join(', ')}: ${reason}`).join('; ');
}

/** Activate one backend; returns the device it computes on, in words. */
async function activate(backend: ResolvedBackend, auto: boolean): Promise<string> {
  if (backend === 'webgpu') return adapterText(await activateWebGpu(auto));
  const native = NATIVE_PACKAGES.find(([name]) => name === backend);
  if (native) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(native[1]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') throw new Error('not installed');
      throw error;
    }
    if (!(await tf.setBackend('tensorflow'))) throw new Error('failed to initialise');
    return backend === 'tensorflow-gpu' ? 'CUDA GPU through libtensorflow' : 'CPU through libtensorflow';
  }
  // Loaded before wasm starts, so a failed load leaves this process's wasm backend as it was.
  const runtime = backend === 'onnxruntime' ? loadOnnxRuntime() : undefined;
  const engine = onWasmHeap(backend) ? 'wasm' : backend;
  if (engine === 'wasm') setWasmPaths(wasmDirectory());
  if (!(await tf.setBackend(engine))) throw new Error('failed to initialise');
  await tf.ready();
  if (engine === 'wasm') {
    shareIdentityBuffersOnWasm();
    removeOnnxProducts();
    registerWasmKernels();
  }
  if (runtime) {
    registerOnnxProducts(runtime);
    return `CPU; matrix products on onnxruntime ${runtime.version}`;
  }
  return 'CPU';
}

/** The wasm binaries: beside the bundle when packaged, else in node_modules. */
function wasmDirectory(): string {
  const besideBundle = path.join(__dirname, 'wasm');
  if (fs.existsSync(path.join(besideBundle, 'tfjs-backend-wasm.wasm'))) return besideBundle + path.sep;
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
}
