import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { env, Tensor } from 'onnxruntime-common';

/** A float32 tensor as the binding takes it: its values are read (an input) or written (an output) in place. */
export interface OrtTensor {
  location: 'cpu';
  type: 'float32';
  dims: number[];
  data: Float32Array;
}

/** What DepthLab uses of onnxruntime-node's native binding: a session loaded from bytes that runs synchronously. */
export interface OrtSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: Record<string, unknown>): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, OrtTensor>, options: Record<string, unknown>): unknown;
  dispose(): void;
}

interface Binding {
  InferenceSession: new () => OrtSession;
  initOrtOnce(logLevel: number, tensor: unknown, isMainThread: boolean): void;
}

/** The loaded addon and the onnxruntime version it is. */
export interface OnnxRuntime {
  InferenceSession: new () => OrtSession;
  version: string;
}

const WARNING = 2;
let loaded: OnnxRuntime | undefined;

/**
 * onnxruntime-node's native binding, beside the bundle in a platform vsix, else from node_modules. Its
 * JS wrapper only makes `run` asynchronous; DepthLab's kernels call the binding directly, as TF.js
 * calls its own, so a product returns before the next op starts. Throws with the reason where this
 * platform or process cannot load it.
 */
export function loadOnnxRuntime(addonFile = addonPath()): OnnxRuntime {
  if (loaded) return loaded;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const binding = require(addonFile) as Binding;
  binding.initOrtOnce(WARNING, Tensor, isMainThread);
  loaded = { InferenceSession: binding.InferenceSession, version: env.versions.common };
  return loaded;
}

/** The folder onnxruntime-node keeps this platform's binding in, as the package names it. */
export const onnxruntimePlatform = () => path.join(process.platform, process.arch);

function addonPath(): string {
  const besideBundle = path.join(__dirname, 'onnxruntime', 'onnxruntime_binding.node');
  if (fs.existsSync(besideBundle)) return besideBundle;
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
  } catch {
    throw new Error('no onnxruntime build here (a platform vsix carries it beside the bundle; the universal vsix and darwin-x64 do not)');
  }
  const file = path.join(packageDir, 'bin', 'napi-v6', onnxruntimePlatform(), 'onnxruntime_binding.node');
  if (!fs.existsSync(file)) throw new Error(`onnxruntime-node has no build for ${process.platform}-${process.arch}`);
  return file;
}
