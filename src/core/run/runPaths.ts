import * as path from 'node:path';

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

/** The config file a run was started from: `<dir>/.depthlab/runs/<id>` belongs to `<dir>/<configFile>`. */
export function configFileOf(run: RunPaths, recordedName: string): string {
  return path.join(path.dirname(path.dirname(path.dirname(run.dir))), recordedName);
}
