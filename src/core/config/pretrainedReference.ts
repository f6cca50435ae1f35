import * as path from 'node:path';
import { UserError } from '../errors';
import type { LoadedConfig } from './loadConfig';

/** What a config with `model.pretrained` asks of analyze and export: the model folder, its text, the config's prune choices and its backend (torch among them). */
export function pretrainedReference({ config, dir }: LoadedConfig) {
  if (!config.model.pretrained) return undefined;
  return {
    /** As the config names it: a folder relative to the config, or a Hub id (jobs/openedPretrained.ts resolves it). */
    model: config.model.pretrained,
    dataFile: config.data.train && path.resolve(dir, config.data.train),
    strategy: config.prune.strategy,
    target: config.prune.targetLayers,
    metric: config.prune.metric,
    layers: config.layersToKeep,
    backend: config.train.backend,
  };
}

/** Training starts from a config's own model shape; a pretrained reference is analyzed and exported instead. */
export function refusePretrained(loaded: LoadedConfig): void {
  if (loaded.config.model.pretrained) {
    throw new UserError(`${loaded.file}: model.pretrained names a Hugging Face model (${loaded.config.model.pretrained}); DepthLab analyzes and prunes it without training: depthlab analyze ${path.basename(loaded.file)}`);
  }
}
