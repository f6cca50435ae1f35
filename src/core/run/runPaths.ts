import * as path from 'node:path';

/** The files of a run, relative to its folder. */
const RUN_FILES = {
  record: 'run.json',
  config: 'config.json',
  metrics: 'metrics.jsonl',
  checkpoints: 'checkpoints',
  /** Names the step folder of the newest complete checkpoint (checkpointFiles.ts). */
  latestCheckpoint: 'checkpoints/latest.json',
  statistics: 'statistics.json',
  sweep: 'sweep.json',
  exportDir: 'export',
  /** One folder per `depthlab heal`: heal.json and the healed model.safetensors. */
  healedDir: 'healed',
  /** `depthlab report`: the run's charts and tables in one self-contained page. */
  report: 'report.html',
} as const;

/** Where a run's files live: `.depthlab/runs/<id>/` beside its config. */
export type RunPaths = { readonly dir: string; readonly id: string } & { readonly [K in keyof typeof RUN_FILES]: string };

export function runPaths(dir: string): RunPaths {
  const files = Object.fromEntries(Object.entries(RUN_FILES).map(([name, file]) => [name, path.join(dir, file)]));
  return { dir, id: path.basename(dir), ...(files as Record<keyof typeof RUN_FILES, string>) };
}

export function runsDir(configFile: string): string {
  return path.join(path.dirname(configFile), '.depthlab', 'runs');
}

/** The config file a run was started from: `<dir>/.depthlab/runs/<id>` belongs to `<dir>/<configFile>`. */
export function configFileOf(run: RunPaths, recordedName: string): string {
  return path.join(path.dirname(path.dirname(path.dirname(run.dir))), recordedName);
}
