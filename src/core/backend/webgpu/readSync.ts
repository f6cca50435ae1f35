import { processDawnEvents } from './dawnEvents';

/** How long a synchronous read waits for the GPU (a software adapter takes minutes for a 1B model's pass) before it gives up on the device. */
const READ_TIMEOUT_MS = 30 * 60_000;

/**
 * Copy a GPU buffer's bytes back to this thread synchronously: copy into a mappable staging buffer,
 * ask for the map, and drive Dawn's event processing until the map lands (`dawnEvents.ts`). Work
 * that writes `source` must be submitted before.
 */
export function readBufferSync(device: GPUDevice, source: GPUBuffer, size: number): ArrayBuffer {
  const staging = device.createBuffer({ size, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  try {
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(source, 0, staging, 0, size);
    device.queue.submit([encoder.finish()]);
    let failure: unknown;
    staging.mapAsync(GPUMapMode.READ).catch((error: unknown) => (failure = error));
    const started = Date.now();
    while (staging.mapState === 'pending') {
      processDawnEvents();
      // A short sleep between rounds leaves the cores to the driver (all of them, on a software adapter).
      if (staging.mapState === 'pending') waitBriefly();
      if (Date.now() - started > READ_TIMEOUT_MS) throw new Error(`the GPU did not answer a read of ${size} bytes within ${READ_TIMEOUT_MS / 60_000} minutes: the device may be hung`);
    }
    if (staging.mapState !== 'mapped') throw new Error(`reading ${size} bytes back from the GPU failed${failure ? `: ${(failure as Error).message}` : ''}`);
    return staging.getMappedRange().slice(0);
  } finally {
    staging.destroy();
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const waitBriefly = () => Atomics.wait(sleeper, 0, 0, 0.05);
