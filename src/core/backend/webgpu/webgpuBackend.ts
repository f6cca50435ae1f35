import * as tf from '../tf';
import type { BackendDescription } from '../backendDescription';
import { adapterText, findAdapter, type AdapterSummary } from './gpuAdapter';
import { readBufferSync } from './readSync';

/** The parts of TF.js's WebGPUBackend this module uses. */
interface WebGpuBackendInternals {
  device: GPUDevice;
  tensorMap: { get(dataId: object): { values?: tf.backend_util.BackendValues; dtype: tf.DataType; resource?: GPUBuffer; complexTensorInfos?: unknown } };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  convertAndCacheOnCPU(dataId: object, values: tf.backend_util.BackendValues): tf.backend_util.BackendValues;
  readSync(dataId: object): tf.backend_util.BackendValues;
}

/** The device a webgpu job runs on: its adapter and the limits it was given. */
export interface GpuDevice extends AdapterSummary {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

let active: GpuDevice | undefined;
let deviceError: string | undefined;

export const activeGpu = () => active;

/** The most bytes one tensor may bind on the backend in use: the GPU's storage-binding limit on webgpu, else no limit. */
export const bindingLimit = () => (active && tf.getBackend() === 'webgpu' ? active.maxStorageBufferBindingSize : Infinity);

/** A GPU through WebGPU (Dawn: Vulkan, Metal or D3D12); `auto` takes hardware adapters only. */
export const WEBGPU: BackendDescription = {
  name: 'webgpu',
  device: 'gpu',
  memory: 'gpu',
  threading: 'engine',
  products: "TF.js's WGSL kernels on Dawn",
  models: 'depthlab',
  activate: async (auto) => adapterText(await activateWebGpu(auto)),
  deactivate() {},
};

/**
 * Register TF.js's WebGPU backend on Dawn's adapter (a software adapter only when `hardwareOnly`
 * is false) with the adapter's own buffer limits, and make it TF.js's backend. Reads are
 * synchronous (`readSync.ts`), so the engine runs unchanged.
 */
export async function activateWebGpu(hardwareOnly: boolean): Promise<GpuDevice> {
  if (active) {
    await tf.setBackend('webgpu');
    return active;
  }
  const { adapter, summary } = await findAdapter(hardwareOnly);
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxBufferSize: limits.maxBufferSize,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      // TF.js splits a concat into groups under this limit: the adapter's own makes the groups larger.
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    },
  });
  const gpu: GpuDevice = { ...summary, maxBufferSize: limits.maxBufferSize, maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize };
  device.addEventListener('uncapturederror', (event) => (deviceError ??= (event as GPUUncapturedErrorEvent).error.message.split('\n')[0].replace(/\.$/, '')));
  void device.lost.then((info) => (deviceError ??= `the device was lost (${info.reason}): ${info.message}`));
  // TF.js's backend checks navigator.gpu, which Node does not have.
  const navigator = ((globalThis as { navigator?: object }).navigator ??= {}) as { gpu?: unknown };
  if (!navigator.gpu) Object.defineProperty(navigator, 'gpu', { value: {}, configurable: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { WebGPUBackend } = require('@tensorflow/tfjs-backend-webgpu') as { WebGPUBackend: new (device: GPUDevice, info: GPUAdapterInfo) => tf.KernelBackend };
  readSynchronously(WebGPUBackend.prototype as unknown as WebGpuBackendInternals, gpu);
  // The package registers a factory of its own on import, which would ask navigator.gpu for an adapter.
  tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info));
  if (!(await tf.setBackend('webgpu'))) throw new Error(`TF.js could not start on ${adapterText(summary)}`);
  active = gpu;
  return gpu;
}

/**
 * TF.js reads synchronously through an OffscreenCanvas, which Node lacks: read the tensor's buffer
 * through a mapped staging buffer instead. A GPU error recorded since the last read (out of memory,
 * a lost device) fails the read with the device's name, so a job stops instead of using garbage.
 */
function readSynchronously(backend: WebGpuBackendInternals, gpu: GpuDevice): void {
  backend.readSync = function (this: WebGpuBackendInternals, dataId: object) {
    const data = this.tensorMap.get(dataId);
    if (data.values != null || data.dtype === 'string' || !data.resource) return data.values!;
    if (data.dtype === 'complex64') throw new Error('complex tensors are not read back on webgpu');
    this.ensureCommandEncoderReady();
    this.endComputePassEncoder();
    this.submitQueue();
    const bytes = readBufferSync(this.device, data.resource, data.resource.size);
    throwDeviceError(gpu);
    return this.convertAndCacheOnCPU(dataId, tf.util.convertBackendValuesAndArrayBuffer(bytes, data.dtype) as tf.backend_util.BackendValues);
  };
}

function throwDeviceError(gpu: GpuDevice): void {
  if (deviceError === undefined) return;
  const inUse = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  const held = inUse.numBytesInGPU ? `; DepthLab held ${(inUse.numBytesInGPU / 2 ** 30).toFixed(2)} GB on it` : '';
  throw new Error(`GPU error on ${adapterText(gpu)}: ${deviceError}${held}. The device is unusable until the job restarts.`);
}
