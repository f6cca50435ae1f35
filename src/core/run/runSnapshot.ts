import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DepthLabConfig } from '../config/schema';
import type { Analysis } from '../pipeline/analyze';
import { layerDropRates } from '../model/layerDrop';
import type { RunListEntry, RunSnapshot } from '../../protocol/messages';
import type { LayerDropStatistics } from '../statistics/dropStatistics';
import { readMetrics } from './metricsLog';
import { readRun, runsDir, RunPaths, type RunRecord } from './runStore';

/** The config file a run was started from: `<dir>/.depthlab/runs/<id>` belongs to `<dir>/<configFile>`. */
export function configFileOf(run: RunPaths, record: RunRecord = readRun(run)): string {
  return path.join(path.dirname(path.dirname(path.dirname(run.dir))), record.configFile);
}

/** Runs found by their run.json files, newest first, labelled relative to `root`. */
export function runList(runJsonFiles: readonly string[], root: string): RunListEntry[] {
  return runJsonFiles
    .map((file) => new RunPaths(path.dirname(file)))
    .flatMap((run) => {
      try {
        const record = readRun(run);
        const configFile = configFileOf(run, record);
        return [{ id: run.id, configFile, label: path.relative(root, configFile), status: record.status, step: record.step, steps: record.steps }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => b.id.localeCompare(a.id));
}

export function runById(configFile: string, id: string): RunPaths {
  return new RunPaths(path.join(runsDir(configFile), id));
}

/**
 * Everything the Depth Explorer shows about a run, from its files: safe to call while the run is
 * training (drop counts come from the logged steps; mean gradient norms from the last checkpoint).
 */
export function runSnapshot(run: RunPaths): RunSnapshot {
  const record = readRun(run);
  const configFile = configFileOf(run, record);
  const config = JSON.parse(fs.readFileSync(run.config, 'utf8')) as DepthLabConfig;
  const layers = config.model.layers;
  const entries = readMetrics(run.metrics);
  const steps = entries.filter((e) => e.type === 'step');
  const rates = layerDropRates(config.layerdrop, layers);
  const timesDropped = new Array<number>(layers).fill(0);
  for (const entry of steps) for (const layer of (entry.dropped as number[] | undefined) ?? []) timesDropped[layer]++;
  const checkpointed = readJson<{ layers: LayerDropStatistics[] }>(run.statistics);
  const drops = rates.map((configuredRate, layer) => ({
    layer,
    configuredRate,
    empiricalRate: steps.length ? timesDropped[layer] / steps.length : 0,
    timesDropped: timesDropped[layer],
    meanGradNorm: checkpointed?.layers[layer]?.meanGradNorm ?? 0,
  }));
  const analysis = readJson<Analysis>(run.sweep);
  return {
    id: run.id,
    configFile,
    task: config.task,
    status: record.status,
    step: record.step,
    steps: record.steps,
    backend: record.backend,
    layers,
    layerdropRate: config.layerdrop.rate,
    trainLoss: steps.map((e) => ({ step: e.step, loss: e.loss as number })),
    validLoss: entries
      .filter((e) => e.type === 'valid')
      .map((e) => ({ step: e.step, loss: e.loss as number, perplexity: e.perplexity as number | undefined, accuracy: e.accuracy as number | undefined })),
    drops,
    importance: analysis && { fullLoss: analysis.fullLoss, layers: analysis.statistics },
    sweep: analysis && { strategy: analysis.strategy, target: analysis.target, keep: analysis.keep, rows: analysis.sweep },
  };
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
