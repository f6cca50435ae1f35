import * as tf from './tf';
import type { BackendDescription, ResolvedBackend } from './backendDescription';
import { CPU } from './cpu/cpuBackend';
import { ONNXRUNTIME } from './onnxruntime/onnxruntimeBackend';
import { TENSORFLOW, TENSORFLOW_GPU } from './tensorflow/tensorflowBackend';
import { TORCH } from './torch/torchBackend';
import { WASM } from './wasm/wasmBackend';
import { lastProbeLog } from './webgpu/gpuAdapter';
import { bindingLimit as webgpuBindingLimit, WEBGPU } from './webgpu/webgpuBackend';

/** Every backend by name: a name config/choices.ts lists without a description here is a compile error. */
const DESCRIPTIONS: Record<ResolvedBackend, BackendDescription> = {
  torch: TORCH,
  webgpu: WEBGPU,
  'tensorflow-gpu': TENSORFLOW_GPU,
  tensorflow: TENSORFLOW,
  onnxruntime: ONNXRUNTIME,
  wasm: WASM,
  cpu: CPU,
};

/** The order `auto` tries them: a hardware GPU through WebGPU, libtensorflow on the GPU then the CPU, then onnxruntime's products, wasm, and TF.js's JavaScript. */
export const AUTO_ORDER: readonly ResolvedBackend[] = ['webgpu', 'tensorflow-gpu', 'tensorflow', 'onnxruntime', 'wasm', 'cpu'];

/** The order for a Hugging Face folder: the user's PyTorch first, when it has a GPU (torchBackend.ts), then AUTO_ORDER. */
export const PRETRAINED_AUTO_ORDER: readonly ResolvedBackend[] = ['torch', ...AUTO_ORDER];

export const describeBackend = (name: ResolvedBackend): BackendDescription => DESCRIPTIONS[name];
export const allBackends = (): BackendDescription[] => Object.values(DESCRIPTIONS);

const described = (name: string): BackendDescription | undefined => DESCRIPTIONS[name as ResolvedBackend];

/** Backends that compute on a GPU, in its own memory: they hold a model whole. */
export const usesGpu = (backend: string) => described(backend)?.device === 'gpu';

/** Backends whose tensors live on TF.js's wasm heap (at most 4 GiB). */
export const onWasmHeap = (backend: string) => described(backend)?.memory === 'wasm-heap';

/** Backends on which transformers, not DepthLab, computes a model: Hugging Face folders only. */
export const runsTransformers = (backend: string) => described(backend)?.models === 'transformers';

/** Whether the engine computing now keeps its tensors on the wasm heap (plain wasm, or with onnxruntime's products). */
export const tensorsOnWasmHeap = () => tf.getBackend() === 'wasm';

/** The most bytes one tensor may bind at once on the engine computing now: a GPU's storage-binding limit on webgpu, else no limit. */
export const bindingLimit = webgpuBindingLimit;

/** What the GPU probe's native libraries printed (Dawn, the Vulkan loader), for the job's log: never the terminal. */
export const probeLog = lastProbeLog;
