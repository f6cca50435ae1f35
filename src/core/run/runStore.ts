import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DepthLabConfig } from '../config/schema';
import { UserError } from '../errors';
import { readRecord, writeRecord, writeRunConfig, type RunRecord } from './runFiles';
import { runPaths, runsDir, type RunPaths } from './runPaths';
import { latestCheckpoint } from './checkpointFiles';

/** A new run folder: the config snapshot first, then run.json, so a listed run always has its config. */
export function createRun(configFile: string, config: DepthLabConfig, backend: string, device?: string, now = new Date()): RunPaths {
  const stamp = now.toISOString().replace(/[:.]/g, '-').replace('Z', '');
  const name = path.basename(configFile).replace(/\.depthlab\.json$|\.json$/, '');
  const paths = runPaths(path.join(runsDir(configFile), `${stamp}-${name}`));
  fs.mkdirSync(paths.checkpoints, { recursive: true });
  writeRunConfig(paths, config);
  writeRecord(paths, {
    id: paths.id,
    configFile: path.basename(configFile),
    status: 'running',
    backend,
    device,
    step: 0,
    steps: config.train.steps,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  });
  return paths;
}

export function updateRun(paths: RunPaths, change: Partial<RunRecord>): RunRecord {
  const record = { ...readRecord(paths), ...change, updatedAt: new Date().toISOString() };
  writeRecord(paths, record);
  return record;
}

/**
 * Runs of one config, oldest first. A run whose run.json cannot be read is left out here, so one
 * corrupt run never blocks the others; asking for it by id reports what is wrong with it.
 */
export function listRuns(configFile: string): RunPaths[] {
  const dir = runsDir(configFile);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .sort()
    .map((id) => runPaths(path.join(dir, id)))
    .filter((paths) => {
      try {
        return readRecord(paths).configFile === path.basename(configFile);
      } catch {
        return false;
      }
    });
}

/** A run by id, or the newest run of the config that has a checkpoint. */
export function findRun(configFile: string, id?: string): RunPaths {
  if (id) {
    const named = runPaths(path.join(runsDir(configFile), id));
    // A corrupt run.json of the named run is reported as such (readRecord throws).
    if (path.basename(id) === id && fs.existsSync(named.record) && readRecord(named).configFile === path.basename(configFile)) return named;
    const ids = listRuns(configFile).map((r) => r.id);
    throw new UserError(`no run "${id}" for ${configFile}; allowed: ${ids.join(', ') || 'none yet (run depthlab train first)'}`);
  }
  const latest = listRuns(configFile)
    .reverse()
    .find((run) => latestCheckpoint(run) !== undefined);
  if (!latest) throw new UserError(`${configFile} has no trained run yet; run: depthlab train ${configFile}`);
  return latest;
}
