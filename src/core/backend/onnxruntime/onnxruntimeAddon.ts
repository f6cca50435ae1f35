import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { env, Tensor } from 'onnxruntime-common';
import { nativeAddonPath } from '../nativeAddonPath';

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

const addonPath = () =>
  nativeAddonPath({
    besideBundle: path.join('onnxruntime', 'onnxruntime_binding.node'),
    packageName: 'onnxruntime-node',
    inPackage: path.join('bin', 'napi-v6', process.platform, process.arch, 'onnxruntime_binding.node'),
    notInstalled: 'no onnxruntime build here (a platform vsix carries it beside the bundle; the universal vsix and darwin-x64 do not)',
    noBuild: `onnxruntime-node has no build for ${process.platform}-${process.arch}`,
  });
