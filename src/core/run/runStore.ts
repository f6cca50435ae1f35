import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from '../files/atomicWrite';
import { UserError } from '../errors';

export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed';

export interface RunRecord {
  id: string;
  /** The config file, relative to the folder that holds `.depthlab/`. */
  configFile: string;
  status: RunStatus;
  backend: string;
  step: number;
  steps: number;
  createdAt: string;
  updatedAt: string;
  error?: string;
}

/** Where a run's files live: `.depthlab/runs/<id>/` beside its config. */
export class RunPaths {
  constructor(readonly dir: string) {}
  get id(): string {
    return path.basename(this.dir);
  }
  get record(): string {
    return path.join(this.dir, 'run.json');
  }
  get config(): string {
    return path.join(this.dir, 'config.json');
  }
  get metrics(): string {
    return path.join(this.dir, 'metrics.jsonl');
  }
  get checkpoint(): string {
    return path.join(this.dir, 'checkpoints', 'last.safetensors');
  }
  get optimizerState(): string {
    return path.join(this.dir, 'checkpoints', 'last.optimizer.safetensors');
  }
  get statistics(): string {
    return path.join(this.dir, 'statistics.json');
  }
  get sweep(): string {
    return path.join(this.dir, 'sweep.json');
  }
  get exportDir(): string {
    return path.join(this.dir, 'export');
  }
}

export function runsDir(configFile: string): string {
  return path.join(path.dirname(configFile), '.depthlab', 'runs');
}

export function createRun(configFile: string, steps: number, backend: string, now = new Date()): RunPaths {
  const stamp = now.toISOString().replace(/[:.]/g, '-').replace('Z', '');
  const name = path.basename(configFile).replace(/\.depthlab\.json$|\.json$/, '');
  const paths = new RunPaths(path.join(runsDir(configFile), `${stamp}-${name}`));
  fs.mkdirSync(path.dirname(paths.checkpoint), { recursive: true });
  const record: RunRecord = {
    id: paths.id,
    configFile: path.basename(configFile),
    status: 'running',
    backend,
    step: 0,
    steps,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  writeJsonAtomic(paths.record, record);
  return paths;
}

export function readRun(paths: RunPaths): RunRecord {
  return JSON.parse(fs.readFileSync(paths.record, 'utf8')) as RunRecord;
}

export function updateRun(paths: RunPaths, change: Partial<RunRecord>): RunRecord {
  const record = { ...readRun(paths), ...change, updatedAt: new Date().toISOString() };
  writeJsonAtomic(paths.record, record);
  return record;
}

/** Runs of one config, oldest first. */
export function listRuns(configFile: string): RunPaths[] {
  const dir = runsDir(configFile);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .sort()
    .map((id) => new RunPaths(path.join(dir, id)))
    .filter((paths) => fs.existsSync(paths.record) && readRun(paths).configFile === path.basename(configFile));
}

/** A run by id, or the newest run of the config that has a checkpoint. */
export function findRun(configFile: string, id?: string): RunPaths {
  const runs = listRuns(configFile);
  if (id) {
    const match = runs.find((run) => run.id === id);
    if (!match) throw new UserError(`no run "${id}" for ${configFile}; allowed: ${runs.map((r) => r.id).join(', ') || 'none yet (run depthlab train first)'}`);
    return match;
  }
  const latest = runs.reverse().find((run) => fs.existsSync(run.checkpoint));
  if (!latest) throw new UserError(`${configFile} has no trained run yet; run: depthlab train ${configFile}`);
  return latest;
}
