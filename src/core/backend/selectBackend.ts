import type { BackendName } from '../config/choices';
import { UserError } from '../errors';
import type { ResolvedBackend } from './backendDescription';
import { allBackends, AUTO_ORDER, describeBackend, PRETRAINED_AUTO_ORDER, probeLog } from './backends';

/** The backend a job runs on, the device it runs on, and why it was chosen: the run's first line says all three. */
export interface BackendChoice {
  backend: ResolvedBackend;
  device: string;
  why: string;
  /** What probing the GPU printed (Dawn, the Vulkan loader), for the job's log. */
  log?: string;
}

let active: BackendChoice | undefined;

/** The choice of this process's first `selectBackend`. */
export const activeBackend = () => active;

/** Whether the backend chosen for this process computes on a GPU (no: before one is chosen). */
export const computesOnGpu = () => active !== undefined && describeBackend(active.backend).device === 'gpu';

/**
 * Pick the compute backend: the first of AUTO_ORDER (backends.ts) that activates, or the one
 * requested. `auto` never takes a software GPU adapter; naming `webgpu` does.
 */
export async function selectBackend(requested: BackendName = 'auto'): Promise<ResolvedBackend> {
  return (await chooseBackend(requested)).backend;
}

/**
 * `pretrained`: the job opens a Hugging Face folder, which the torch backend (transformers in the
 * user's Python) can compute; DepthLab's own models cannot run there.
 */
export async function chooseBackend(requested: BackendName = 'auto', { pretrained = false } = {}): Promise<BackendChoice> {
  if (requested !== 'auto' && !pretrained && describeBackend(requested).models === 'transformers') {
    throw new UserError(`backend "${requested}" runs Hugging Face models with transformers in your Python; DepthLab's own configs run on ${AUTO_ORDER.join(', ')} or auto`);
  }
  const fits = (choice: BackendChoice) => pretrained || describeBackend(choice.backend).models === 'depthlab';
  if (active && fits(active) && (requested === 'auto' || requested === active.backend)) return active;
  const order = requested !== 'auto' ? [requested] : pretrained ? PRETRAINED_AUTO_ORDER : AUTO_ORDER;
  const failures: Array<[ResolvedBackend, string]> = [];
  for (const candidate of order) {
    try {
      const device = await activate(candidate, requested === 'auto');
      const why = requested !== 'auto' ? 'requested' : failures.length ? `auto; ${skipped(failures)}` : 'auto';
      const log = probeLog();
      active = { backend: candidate, device, why, ...(log && { log }) };
      return active;
    } catch (error) {
      failures.push([candidate, (error as Error).message.split('\n')[0]]);
    }
  }
  throw new UserError(`backend "${requested}" is not available here (${skipped(failures)}); allowed: ${PRETRAINED_AUTO_ORDER.join(', ')}, auto`);
}

/** For a job that computes nothing (files in, files out): the backend already chosen, else TF.js's plain one, probing no GPU. */
export async function idleBackend(): Promise<BackendChoice> {
  return active ?? chooseBackend('cpu');
}

/** "webgpu: no adapter …; tensorflow-gpu, tensorflow: not installed": each reason once. */
function skipped(failures: Array<[ResolvedBackend, string]>): string {
  const byReason = new Map<string, ResolvedBackend[]>();
  for (const [backend, reason] of failures) byReason.set(reason, [...(byReason.get(reason) ?? []), backend]);
  return [...byReason].map(([reason, backends]) => `${backends.join(', ')}: ${reason}`).join('; ');
}

/** Activate one backend, after every other has undone what it registered; returns the device it computes on, in words. */
async function activate(backend: ResolvedBackend, auto: boolean): Promise<string> {
  for (const other of allBackends()) if (other.name !== backend) other.deactivate();
  return describeBackend(backend).activate(auto);
}
