import { loadDawn } from './dawnModule';
import { vulkanDrivers } from './vulkanDrivers';

/** One adapter as the run's header and the explorer name it. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
  software: boolean;
}

/** Implementations that run on the CPU: correct, never fast (SwiftShader, llvmpipe/lavapipe, WARP). */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render/i;

function summarize(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ');
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { vendor: info.vendor, architecture: info.architecture, description: info.description || info.device, software: fallback || SOFTWARE.test(text) };
}

/** "NVIDIA H200 (nvidia, hopper)"; software adapters say so. */
export function adapterText(adapter: AdapterSummary): string {
  const detail = [adapter.vendor, adapter.architecture].filter(Boolean).join(', ');
  return `${adapter.description || 'unnamed adapter'}${detail ? ` (${detail})` : ''}${adapter.software ? ', a software adapter' : ''}`;
}

export interface FoundAdapter {
  adapter: GPUAdapter;
  summary: AdapterSummary;
}

/** Dawn's instance: held for the life of the process, since collecting it destroys the devices made from it. */
let instance: GPU | undefined;

/**
 * The adapter a job gets: the high-performance one, or the software one when that is all there is.
 * `hardwareOnly` (auto) refuses a software adapter with a reason naming it.
 */
export async function findAdapter(hardwareOnly: boolean): Promise<FoundAdapter> {
  // auto says what it skipped in a few words; a request for webgpu that fails says what to install.
  const hint = hardwareOnly ? '' : ` (${DRIVER_HINT})`;
  if (process.platform === 'linux' && vulkanDrivers().length === 0) throw new Error(`no Vulkan driver is installed${hint}`);
  // DEPTHLAB_GPU_ADAPTER picks an adapter by (part of) its name; Dawn lists the adapters when none matches.
  const wanted = process.env.DEPTHLAB_GPU_ADAPTER;
  const gpu = (instance ??= loadDawn().create(wanted ? [`adapter=${wanted}`] : []));
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch((error: Error) => {
    const [first, ...rest] = error.message.split('\n').map((line) => line.replace(/^\s*\*\s*/, '').trim()).filter(Boolean);
    throw new Error(`${wanted ? `DEPTHLAB_GPU_ADAPTER=${wanted}: ` : ''}${first}${rest.length ? ` (${rest.join(' ')})` : ''}`);
  });
  if (!adapter) throw new Error(`no WebGPU adapter found${hint}`);
  const summary = summarize(adapter);
  if (hardwareOnly && summary.software) throw new Error(`only ${adapterText(summary)}, which auto never picks`);
  return { adapter, summary };
}

/** What to install for a hardware adapter, per OS. */
const DRIVER_HINT =
  process.platform === 'darwin'
    ? 'Dawn uses Metal, which every supported macOS has'
    : process.platform === 'win32'
      ? 'Dawn uses D3D12: install the GPU vendor’s current driver'
      : 'Dawn uses Vulkan: install the loader (Debian/Ubuntu: libvulkan1) and your GPU’s Vulkan driver: NVIDIA’s own driver, or mesa-vulkan-drivers for AMD and Intel';
