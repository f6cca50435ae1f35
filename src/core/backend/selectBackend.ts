import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from './tf';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from '../config/choices';
import { UserError } from '../errors';
import { shareIdentityBuffersOnWasm } from './sharedIdentity';
import { registerWasmKernels } from './wasmKernels';

export type ResolvedBackend = Exclude<BackendName, 'auto'>;

/** Which npm package provides each native backend, in the order `auto` tries them. */
const NATIVE_PACKAGES: Array<[ResolvedBackend, string]> = [
  ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
  ['tensorflow', '@tensorflow/tfjs-node'],
];

let active: ResolvedBackend | undefined;

/**
 * Pick the compute backend: tfjs-node-gpu if it loads, then tfjs-node, then wasm, then cpu.
 * Both native packages register the same TF.js backend name ('tensorflow'); they share the
 * engine with our tfjs-core because TF.js keeps its engine in a global.
 */
export async function selectBackend(requested: BackendName = 'auto'): Promise<ResolvedBackend> {
  if (active && (requested === 'auto' || requested === active)) return active;
  const order: ResolvedBackend[] = requested === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : [requested];
  const failures: string[] = [];
  for (const candidate of order) {
    try {
      await activate(candidate);
      active = candidate;
      return candidate;
    } catch (error) {
      failures.push(`${candidate}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new UserError(`backend "${requested}" is not available here (${failures.join('; ')}); allowed: auto, wasm, cpu`);
}

async function activate(backend: ResolvedBackend): Promise<void> {
  const native = NATIVE_PACKAGES.find(([name]) => name === backend);
  if (native) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(native[1]);
    if (!(await tf.setBackend('tensorflow'))) throw new Error('failed to initialise');
    return;
  }
  if (backend === 'wasm') setWasmPaths(wasmDirectory());
  if (!(await tf.setBackend(backend))) throw new Error('failed to initialise');
  await tf.ready();
  if (backend === 'wasm') {
    shareIdentityBuffersOnWasm();
    registerWasmKernels();
  }
}

/** The wasm binaries: beside the bundle when packaged, else in node_modules. */
function wasmDirectory(): string {
  const besideBundle = path.join(__dirname, 'wasm');
  if (fs.existsSync(path.join(besideBundle, 'tfjs-backend-wasm.wasm'))) return besideBundle + path.sep;
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
}
