import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtFile } from '../../files/builtFile';
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

/** What the last probe's libraries printed (Dawn, the Vulkan loader): the job's log keeps it, the terminal never shows it. */
let probeLog: string | undefined;
export const lastProbeLog = () => probeLog;

/**
 * The adapter a job gets: the high-performance one, or the software one when that is all there is.
 * `hardwareOnly` (auto) refuses a software adapter with a reason naming it. The question is first
 * asked in a process of its own (gpuProbe.ts), so that Dawn's and the Vulkan loader's warnings stay
 * out of the user's terminal; Dawn loads here only for an adapter worth using, with the drivers it
 * would refuse (lavapipe; for auto, every software one) left out of the loader's list.
 */
export async function findAdapter(hardwareOnly: boolean): Promise<FoundAdapter> {
  refuseWithoutDrivers(hardwareOnly);
  const probed = probeInOwnProcess(hardwareOnly);
  if ('error' in probed) throw new Error(probed.error);
  quietDrivers(hardwareOnly);
  return findAdapterHere(hardwareOnly);
}

/** The probe's answer; a probe that cannot run at all (no built script, a crash) answers with why. */
function probeInOwnProcess(hardwareOnly: boolean): { summary: AdapterSummary } | { error: string } {
  const script = builtFile('gpuProbe.js');
  if (!fs.existsSync(script)) return { error: `${script} is missing; run npm run build` };
  const run = spawnSync(process.execPath, [script, hardwareOnly ? 'hardware' : 'any'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  probeLog = run.stderr.trim() || undefined;
  const answer = run.stdout.trim().split('\n').at(-1);
  if (run.status !== 0 || !answer?.startsWith('{')) return { error: `the GPU probe ${run.signal ? `was killed (${run.signal})` : `exited with code ${run.status}`}${probeLog ? `: ${probeLog.split('\n').at(-1)}` : ''}` };
  return JSON.parse(answer) as { summary: AdapterSummary } | { error: string };
}

/** Software Vulkan drivers, by their manifests' names: lavapipe (which Dawn refuses), SwiftShader, llvmpipe. */
const SOFTWARE_DRIVER = /lvp_icd|lavapipe|swiftshader|llvmpipe|softpipe/i;

/**
 * Leave out of the Vulkan loader's list the drivers this job would not use, so that loading them
 * prints nothing: lavapipe always (Dawn refuses it, loudly), every software driver for auto. A list
 * the user set (VK_DRIVER_FILES, VK_ICD_FILENAMES) is theirs and is kept.
 */
function quietDrivers(hardwareOnly: boolean): void {
  if (process.platform !== 'linux' || process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES) return;
  const drivers = vulkanDrivers().filter((file) => !(hardwareOnly ? SOFTWARE_DRIVER : /lvp_icd|lavapipe/i).test(path.basename(file)));
  if (drivers.length) process.env.VK_DRIVER_FILES = drivers.join(path.delimiter);
}

/** The adapter as this process's Dawn finds it (the probe runs this in its own process). */
export async function findAdapterHere(hardwareOnly: boolean): Promise<FoundAdapter> {
  refuseWithoutDrivers(hardwareOnly);
  const hint = driverHint(hardwareOnly);
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

/** auto says what it skipped in a few words; a request for webgpu that fails says what to install. */
const driverHint = (hardwareOnly: boolean) => (hardwareOnly ? '' : ` (${DRIVER_HINT})`);

/** Linux without a Vulkan driver is told so without loading Dawn (whose loader would print its warnings for every job). */
function refuseWithoutDrivers(hardwareOnly: boolean): void {
  if (process.platform === 'linux' && vulkanDrivers().length === 0) throw new Error(`no Vulkan driver is installed${driverHint(hardwareOnly)}`);
}

/** What to install for a hardware adapter, per OS. */
const DRIVER_HINT =
  process.platform === 'darwin'
    ? 'Dawn uses Metal, which every supported macOS has'
    : process.platform === 'win32'
      ? 'Dawn uses D3D12: install the GPU vendor’s current driver'
      : 'Dawn uses Vulkan: install the loader (Debian/Ubuntu: libvulkan1) and your GPU’s Vulkan driver: NVIDIA’s own driver, or mesa-vulkan-drivers for AMD and Intel';
