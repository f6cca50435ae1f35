import * as fs from 'node:fs';
import { loadModelCheckpoint, type CheckpointMeta } from '../checkpoint/modelCheckpoint';
import { readDropCounters } from '../checkpoint/optimizerState';
import type { LoadedConfig } from '../config/loadConfig';
import type { DepthLabConfig } from '../config/schema';
import type { Dataset } from '../data/dataset';
import { loadDataset } from '../data/loadDataset';
import type { Transformer } from '../model/transformer';
import { findRun, type RunPaths } from '../run/runStore';
import type { DropCounters } from '../statistics/dropStatistics';

export interface OpenedRun {
  run: RunPaths;
  model: Transformer;
  dataset: Dataset;
  meta: CheckpointMeta;
  counters: DropCounters;
}

/** A trained run of this config, ready to evaluate: its last checkpoint, and its data encoded with the checkpoint's vocabulary. */
export function openRun(loaded: LoadedConfig, runId?: string): OpenedRun {
  const run = findRun(loaded.file, runId);
  const { model, meta, tokenizer } = loadModelCheckpoint(run.checkpoint);
  const config: DepthLabConfig = JSON.parse(fs.readFileSync(run.config, 'utf8'));
  const dataset = loadDataset({ ...loaded, config }, tokenizer, meta.labels);
  return { run, model, dataset, meta, counters: readDropCounters(run.optimizerState) };
}
