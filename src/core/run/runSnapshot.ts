import * as path from 'node:path';
import type { Task } from '../config/choices';
import { layerDropRates } from '../model/layerDrop';
import type { LayerDropStatistics } from '../statistics/dropStatistics';
import type { LayerStatistics } from '../statistics/importance';
import { readMetrics } from './metricsLog';
import { readRecord, readRun, type Analysis, type HealRecord, type RunStatus } from './runFiles';
import { configFileOf, runPaths, runsDir, type RunPaths } from './runPaths';

export interface RunListEntry {
  /** A DepthLab run, or the analysis of a Hugging Face model folder. */
  kind: 'run' | 'model';
  id: string;
  configFile: string;
  /** Config file relative to the workspace, for the dropdown. */
  label: string;
  status: RunStatus;
  step: number;
  steps: number;
}

/** Everything the Depth Explorer shows about one run, read from its files. */
export interface RunSnapshot {
  kind: 'run' | 'model';
  id: string;
  configFile: string;
  task: Task;
  status: RunStatus;
  step: number;
  steps: number;
  backend: string;
  /** The device it trained on, in words; absent for older runs. */
  device?: string;
  layers: number;
  layerdropRate: number;
  trainLoss: Array<{ step: number; loss: number }>;
  validLoss: Array<{ step: number; loss: number; perplexity?: number; accuracy?: number }>;
  drops: LayerDropStatistics[];
  /** After an analysis: per-layer importance. */
  importance?: { fullLoss: number; layers: LayerStatistics[] };
  /** After an analysis: the strategy's layers and quality at every depth, and its choice at the target. */
  sweep?: { strategy: Analysis['strategy']; target: number; keep: number[]; rows: Analysis['sweep']; margin?: Analysis['margin'] };
  /** Gromov et al.'s angular distance, [n − 1][l] between the streams entering layer l and leaving layer l + n − 1. */
  angularDistance?: number[][];
  /** A model analysis: how far its tokens go (precisionText.ts). */
  precision?: string;
  /** Hugging Face model analyses: the sweep of every strategy, to compare them. */
  sweeps?: Partial<Record<Analysis['strategy'], Analysis['sweep']>>;
  /** Sub-networks finetuned by heal, oldest first. */
  healed?: HealRecord[];
  /** With --sublayers: each layer's attention and MLP removed alone, and the greedy search over them. */
  parts?: Analysis['parts'];
  sublayerSearch?: Analysis['sublayerSearch'];
}

/** Runs found by their run.json files, newest first, labelled relative to `root`; unreadable ones are left out. */
export function runList(runJsonFiles: readonly string[], root: string): RunListEntry[] {
  return runJsonFiles
    .map((file) => runPaths(path.dirname(file)))
    .flatMap((run) => {
      try {
        const record = readRecord(run);
        const configFile = configFileOf(run, record.configFile);
        return [{ kind: 'run' as const, id: run.id, configFile, label: path.relative(root, configFile), status: record.status, step: record.step, steps: record.steps }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => b.id.localeCompare(a.id));
}

export function runById(configFile: string, id: string): RunPaths {
  return runPaths(path.join(runsDir(configFile), id));
}

/**
 * Everything the Depth Explorer shows about a run, from its files: safe to call while the run is
 * training (drop counts come from the logged steps; mean gradient norms from the last checkpoint).
 */
export function runSnapshot(paths: RunPaths): RunSnapshot {
  const { record, configFile, config, statistics, analysis, healed } = readRun(paths);
  const layers = config.model.layers;
  const entries = readMetrics(paths.metrics);
  const steps = entries.filter((e) => e.type === 'step');
  const timesDropped = new Array<number>(layers).fill(0);
  for (const entry of steps) for (const layer of (entry.dropped as number[] | undefined) ?? []) timesDropped[layer]++;
  const drops = layerDropRates(config.layerdrop, layers).map((configuredRate, layer) => ({
    layer,
    configuredRate,
    empiricalRate: steps.length ? timesDropped[layer] / steps.length : 0,
    timesDropped: timesDropped[layer],
    meanGradNorm: statistics?.layers[layer]?.meanGradNorm ?? 0,
    learnedRate: statistics?.layers[layer]?.learnedRate,
  }));
  return {
    kind: 'run',
    id: paths.id,
    configFile,
    task: config.task,
    status: record.status,
    step: record.step,
    steps: record.steps,
    backend: record.backend,
    device: record.device,
    layers,
    layerdropRate: config.layerdrop.rate,
    trainLoss: steps.map((e) => ({ step: e.step, loss: e.loss as number })),
    validLoss: entries
      .filter((e) => e.type === 'valid')
      .map((e) => ({ step: e.step, loss: e.loss as number, perplexity: e.perplexity as number | undefined, accuracy: e.accuracy as number | undefined })),
    drops,
    importance: analysis && { fullLoss: analysis.fullLoss, layers: analysis.statistics },
    sweep: analysis && { strategy: analysis.strategy, target: analysis.target, keep: analysis.keep, rows: analysis.sweep, margin: analysis.margin },
    angularDistance: analysis?.angularDistance,
    parts: analysis?.parts,
    sublayerSearch: analysis?.sublayerSearch,
    healed,
  };
}
