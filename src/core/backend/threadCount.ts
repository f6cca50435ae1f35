import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeBackend } from './backends';
import { activeBackend } from './selectBackend';
import { writeJsonAtomic } from '../files/atomicWrite';

/**
 * Training threads the machine gets with `threads: "auto"`: one per core, at most 2 (the bench's
 * measured scaling stops there: 1.4–1.5× on this 2-core machine; more is untested), and a divisor
 * of the batch size so that the shards are equal; one when `npm run bench` measured two threads
 * training slower than one on this machine.
 */
export const MAX_AUTO_THREADS = 2;

/** What the bench measured here: how much a second thread speeds training and evaluation up. */
export interface ThreadCalibration {
  machine: string;
  training: number;
  evaluation: number;
  measuredAt: string;
}

const machine = () => `${os.cpus()[0]?.model ?? 'unknown'} × ${os.availableParallelism()}`;

/** Where the bench leaves its measurement for this user (DEPTHLAB_CALIBRATION overrides it). */
export const calibrationFile = () => process.env.DEPTHLAB_CALIBRATION ?? path.join(os.homedir(), '.depthlab', 'threads.json');

export function writeCalibration(scaling: Omit<ThreadCalibration, 'machine' | 'measuredAt'>): void {
  writeJsonAtomic(calibrationFile(), { machine: machine(), ...scaling, measuredAt: new Date().toISOString() } satisfies ThreadCalibration);
}

/** The bench's measurement on this machine, or undefined (none, another machine's, or unreadable). */
export function readCalibration(): ThreadCalibration | undefined {
  try {
    const calibration = JSON.parse(fs.readFileSync(calibrationFile(), 'utf8')) as ThreadCalibration;
    return calibration.machine === machine() && typeof calibration.training === 'number' ? calibration : undefined;
  } catch {
    return undefined;
  }
}

/** When the bench measured a second thread slowing training down on this machine: what it measured. */
export function threadsMeasuredSlower(): ThreadCalibration | undefined {
  const calibration = readCalibration();
  return calibration && calibration.training < 1 ? calibration : undefined;
}

/** Threads stand in for the cores one wasm instance cannot use; a GPU or libtensorflow runs a job from one thread. */
export const threadsHelp = () => {
  const backend = activeBackend()?.backend;
  return backend === undefined || describeBackend(backend).threading === 'depthlab-threads';
};

export function resolveThreads({ threads, batchSize }: { threads: number | 'auto'; batchSize: number }, cores = os.availableParallelism()): number {
  if (!threadsHelp()) return 1;
  if (threads !== 'auto') return threads;
  if (threadsMeasuredSlower()) return 1;
  for (let t = Math.min(cores, MAX_AUTO_THREADS); t > 1; t--) if (batchSize % t === 0) return t;
  return 1;
}
