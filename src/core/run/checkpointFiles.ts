import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { writeJsonAtomic } from '../files/atomicWrite';
import type { RunPaths } from './runPaths';

/** One checkpoint: the model (the file users load elsewhere) and the optimizer state a resume needs, of the same step. */
export interface CheckpointFiles {
  model: string;
  optimizer: string;
}

/** The files of release 0.1, before checkpoints were one unit; still read. */
const LEGACY = { model: 'last.safetensors', optimizer: 'last.optimizer.safetensors' };
const stepFolder = (step: number) => `step-${String(step).padStart(6, '0')}`;

/**
 * The newest complete checkpoint of a run: `checkpoints/latest.json` names the step folder whose
 * two files were both written before it was switched; runs from release 0.1 have `last.*`.
 */
export function latestCheckpoint(paths: RunPaths): CheckpointFiles | undefined {
  if (fs.existsSync(paths.latestCheckpoint)) {
    let folder: unknown;
    try {
      folder = JSON.parse(fs.readFileSync(paths.latestCheckpoint, 'utf8')).folder;
    } catch {
      folder = undefined;
    }
    if (typeof folder !== 'string' || !/^step-\d+$/.test(folder)) throw new UserError(`run ${paths.id}: ${paths.latestCheckpoint} is damaged; restore it or delete the run folder`);
    return { model: path.join(paths.checkpoints, folder, 'model.safetensors'), optimizer: path.join(paths.checkpoints, folder, 'optimizer.safetensors') };
  }
  const legacy = { model: path.join(paths.checkpoints, LEGACY.model), optimizer: path.join(paths.checkpoints, LEGACY.optimizer) };
  return fs.existsSync(legacy.model) ? legacy : undefined;
}

/**
 * Write a checkpoint as one unit: both files into a new step folder, then the pointer switched
 * atomically, then older checkpoints removed. A kill at any moment leaves the previous complete
 * checkpoint or the new one, never a model and optimizer of different steps.
 */
export function writeCheckpoint(paths: RunPaths, step: number, write: (files: CheckpointFiles) => void): CheckpointFiles {
  const folder = stepFolder(step);
  const dir = path.join(paths.checkpoints, folder);
  fs.rmSync(dir, { recursive: true, force: true });
  const files = { model: path.join(dir, 'model.safetensors'), optimizer: path.join(dir, 'optimizer.safetensors') };
  write(files);
  writeJsonAtomic(paths.latestCheckpoint, { folder, step });
  removeStaleCheckpoints(paths);
  return files;
}

/**
 * Everything in `checkpoints/` but the current checkpoint: older step folders, a step folder a
 * kill left half-written, temp files of interrupted writes, release 0.1's files once superseded.
 * Run when a checkpoint is written and when a run starts or resumes.
 */
export function removeStaleCheckpoints(paths: RunPaths): void {
  if (!fs.existsSync(paths.checkpoints)) return;
  const current = latestCheckpoint(paths);
  const keep = new Set([path.basename(paths.latestCheckpoint), ...(current ? [path.relative(paths.checkpoints, current.model).split(path.sep)[0]] : [])]);
  for (const name of fs.readdirSync(paths.checkpoints)) {
    if (!keep.has(name)) fs.rmSync(path.join(paths.checkpoints, name), { recursive: true, force: true });
  }
  if (current) for (const name of fs.readdirSync(path.dirname(current.model))) {
    if (name.endsWith('.tmp')) fs.rmSync(path.join(path.dirname(current.model), name), { force: true });
  }
}

/** The run's newest checkpoint, or a user error saying it has none. */
export function requireCheckpoint(paths: RunPaths): CheckpointFiles {
  const files = latestCheckpoint(paths);
  if (!files) throw new UserError(`run ${paths.id} has no checkpoint yet`);
  return files;
}
