import { UserError } from '../errors';
import type { DepthLabConfig } from '../config/schema';

/** What a checkpoint holds or depends on: a change here cannot continue the run. */
const FIXED = ['task', 'data', 'model', 'layerdrop', 'train.seed', 'train.batchSize'] as const;

const at = (config: DepthLabConfig, key: string) => key.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown>)[part], config);

/**
 * The config a resumed run continues with: the config file as it is now (more steps, another
 * learning rate or evaluation cadence), provided nothing the checkpoint depends on changed; each
 * such change is named, with the run's value and the file's.
 */
export function resumedConfig(runId: string, snapshot: DepthLabConfig, current: DepthLabConfig, file: string): DepthLabConfig {
  const changed = FIXED.filter((key) => JSON.stringify(at(snapshot, key)) !== JSON.stringify(at(current, key)));
  if (changed.length > 0) {
    const details = changed.map((key) => `${key} (run: ${JSON.stringify(at(snapshot, key))}, now: ${JSON.stringify(at(current, key))})`);
    throw new UserError(`cannot resume run ${runId}: ${file} changed what its checkpoint depends on: ${details.join('; ')}. Restore them, or train a new run`);
  }
  return current;
}
