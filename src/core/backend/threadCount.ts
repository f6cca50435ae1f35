import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ResolvedBackend } from './backendDescription';
import { describeBackend } from './backends';
import { activeBackend } from './selectBackend';
import { writeJsonAtomic } from '../files/atomicWrite';

/**
 * Training threads the machine gets with `threads: "auto"`: one per core, at most 2 (the bench's
 * measured scaling stops there: 1.4–1.5× on this 2-core machine; more is untested), and a divisor
 * of the batch size so that the shards are equal; one when `npm run bench` measured two threads
 * training slower than one on this machine and backend.
 */
export const MAX_AUTO_THREADS = 2;

/** What the bench measured here on one backend: how much a second thread speeds training and evaluation up. */
export interface ThreadCalibration {
  training: number;
  evaluation: number;
  measuredAt: string;
}

/** The calibration file: this machine's measurements, per backend (each engine scales differently: onnxruntime's products share the cores otherwise than wasm's). */
interface CalibrationFile {
  machine: string;
  backends: Partial<Record<ResolvedBackend, ThreadCalibration>>;
}

const machine = () => `${os.cpus()[0]?.model ?? 'unknown'} × ${os.availableParallelism()}`;

/** Where the bench leaves its measurements for this user (DEPTHLAB_CALIBRATION overrides it). */
export const calibrationFile = () => process.env.DEPTHLAB_CALIBRATION ?? path.join(os.homedir(), '.depthlab', 'threads.json');

/** This machine's measurements, or none (no file, another machine's, unreadable). A file from before backends were told apart holds wasm's. */
function readFile(): CalibrationFile['backends'] {
  try {
    const file = JSON.parse(fs.readFileSync(calibrationFile(), 'utf8')) as CalibrationFile | (ThreadCalibration & { machine: string });
    if (file.machine !== machine()) return {};
    return 'backends' in file ? file.backends : { wasm: { training: file.training, evaluation: file.evaluation, measuredAt: file.measuredAt } };
  } catch {
    return {};
  }
}

/** Record what the bench measured on `backend`, beside this machine's other backends (another machine's file is replaced). */
export function writeCalibration(backend: ResolvedBackend, scaling: Omit<ThreadCalibration, 'measuredAt'>): void {
  writeJsonAtomic(calibrationFile(), { machine: machine(), backends: { ...readFile(), [backend]: { ...scaling, measuredAt: new Date().toISOString() } } } satisfies CalibrationFile);
}

/** The bench's measurement of `backend` on this machine, or undefined (none for that backend, or another machine's). */
export function readCalibration(backend: string | undefined): ThreadCalibration | undefined {
  const calibration = backend === undefined ? undefined : readFile()[backend as ResolvedBackend];
  return typeof calibration?.training === 'number' ? calibration : undefined;
}

/** When the bench measured a second thread slowing training down on this machine's `backend`: what it measured. */
export function threadsMeasuredSlower(backend = activeBackend()?.backend): ThreadCalibration | undefined {
  const calibration = readCalibration(backend);
  return calibration && calibration.training < 1 ? calibration : undefined;
}

/** Threads stand in for the cores one wasm instance cannot use; a GPU or libtensorflow runs a job from one thread. */
export const threadsHelp = () => {
  const backend = activeBackend()?.backend;
  return backend === undefined || describeBackend(backend).threading === 'depthlab-threads';
};

/** The training threads of a config on the job's backend (`backend`: the one chosen for this process). */
export function resolveThreads({ threads, batchSize }: { threads: number | 'auto'; batchSize: number }, cores = os.availableParallelism(), backend = activeBackend()?.backend): number {
  if (!threadsHelp()) return 1;
  if (threads !== 'auto') return threads;
  if (threadsMeasuredSlower(backend)) return 1;
  for (let t = Math.min(cores, MAX_AUTO_THREADS); t > 1; t--) if (batchSize % t === 0) return t;
  return 1;
}
