import type { DepthLabConfig, ImportanceMetric, PruneStrategy } from '../config/schema';
import type { Dataset } from '../data/dataset';
import { depthSweep, type DepthRow } from '../evaluate/depthSweep';
import { evaluateTogether } from '../evaluate/evaluate';
import type { EventSink } from '../events';
import { fairseqFlags, huggingFaceConfig } from '../export/interop';
import { writeJsonAtomic } from '../files/atomicWrite';
import { layerDropRates } from '../model/layerDrop';
import type { Transformer } from '../model/transformer';
import { layerSelector } from '../prune/layerSelector';
import { defaultTarget, recommendedRate } from '../prune/recommendedRate';
import type { RunPaths } from '../run/runStore';
import { dropStatistics, type DropCounters } from '../statistics/dropStatistics';
import { layerStatistics, type LayerStatistics } from '../statistics/importance';

export interface AnalysisOptions {
  strategy?: PruneStrategy;
  target?: number;
  metric?: ImportanceMetric;
  onEvent?: EventSink;
}

export interface Analysis {
  task: DepthLabConfig['task'];
  layers: number;
  fullLoss: number;
  statistics: LayerStatistics[];
  strategy: PruneStrategy;
  metric: ImportanceMetric;
  target: number;
  /** The strategy's layers at the target depth. */
  keep: number[];
  /** The paper's training rate for this target, p* = 1 − r/N, beside the rate the run used. */
  recommendedRate: number;
  trainedRate: number;
  sweep: DepthRow[];
  fairseq: { flag: string; modelOverrides: string };
  huggingFace: Record<string, number>;
}

/** Per-layer statistics, the chosen strategy's layers for the target, and a sweep over every depth; saved in the run. */
export function analyze(model: Transformer, dataset: Dataset, config: DepthLabConfig, counters: DropCounters, run: RunPaths, options: AnalysisOptions = {}): Analysis {
  const layers = config.model.layers;
  const strategy = options.strategy ?? config.prune.strategy;
  const metric = options.metric ?? config.prune.metric;
  const target = options.target ?? config.prune.targetLayers ?? defaultTarget(layers);
  const batches = dataset.validBatches(config.train.batchSize, config.train.evalBatches);
  options.onEvent?.({ type: 'phase', phase: 'importance', detail: `per-layer importance on ${batches.length} validation batches` });
  const { fullLoss, layers: statistics } = layerStatistics(model, batches, dropStatistics(counters, layerDropRates(config.layerdrop, layers)));
  writeJsonAtomic(run.statistics, { fullLoss, layers: statistics });
  options.onEvent?.({ type: 'phase', phase: 'sweep', detail: `${strategy} at every depth ${layers}…1` });
  const select = layerSelector(strategy, { layers, statistics, metric, lossesOf: (candidates) => evaluateTogether(model, batches, candidates).map((evaluation) => evaluation.loss) });
  const sweep = depthSweep(model, batches, select);
  for (const row of sweep) options.onEvent?.({ type: 'depth', row });
  const keep = select(target);
  const analysis: Analysis = {
    task: config.task,
    layers,
    fullLoss,
    statistics,
    strategy,
    metric,
    target,
    keep,
    recommendedRate: recommendedRate(layers, target),
    trainedRate: config.layerdrop.rate,
    sweep,
    fairseq: fairseqFlags(config.task, keep),
    huggingFace: huggingFaceConfig(config.task, keep.length, config.layerdrop.rate),
  };
  writeJsonAtomic(run.sweep, analysis);
  return analysis;
}
