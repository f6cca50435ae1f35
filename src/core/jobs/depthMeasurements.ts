import { PRUNE_STRATEGIES, type ImportanceMetric, type PruneStrategy } from '../config/choices';
import { UserError } from '../errors';
import { depthSweep, type DepthRow } from '../evaluate/depthSweep';
import type { EventSink } from '../events';
import type { Batch, LayeredModel } from '../model/layeredModel';
import { chooser, type LayerChoice } from '../prune/chooseLayers';
import type { ChoiceMargin } from '../prune/choiceMargin';
import { angularDistances } from '../statistics/angularDistance';
import { dropStatistics, emptyCounters } from '../statistics/dropStatistics';
import { layerStatistics, type LayerStatistics } from '../statistics/importance';

/** The strategies a model's depth sweep compares (first-k is a baseline for trained runs only). */
export const MODEL_STRATEGIES: PruneStrategy[] = PRUNE_STRATEGIES.filter((strategy) => strategy !== 'first-k');

export interface DepthMeasurements {
  fullLoss: number;
  statistics: LayerStatistics[];
  angularDistance: number[][];
  sweeps: Partial<Record<PruneStrategy, DepthRow[]>>;
  strategy: PruneStrategy;
  metric: ImportanceMetric;
  target: number;
  keep: number[];
  margin?: ChoiceMargin;
}

/** Batch passes `measureDepth` makes: importance, angular distance, one sweep per strategy, and search-on-valid's N − 1 rounds. */
export const depthMeasurementPasses = (layers: number, batches: number) => batches * (2 + MODEL_STRATEGIES.length + layers - 1);

/**
 * Everything DepthLab measures of a model it did not train: per-layer importance (no LayerDrop
 * counters), angular distances, a depth sweep for every strategy, and the choice's layers.
 */
export function measureDepth(model: LayeredModel, batches: Batch[], choice: Omit<LayerChoice, 'layers'>, context: { onEvent?: EventSink; signal?: AbortSignal } = {}): DepthMeasurements {
  const phase = (detail: string, phase: 'angular' | 'sweep') => context.onEvent?.({ type: 'phase', phase, detail });
  const { fullLoss, layers: statistics } = layerStatistics(model, batches, dropStatistics(emptyCounters(model.layers), new Array(model.layers).fill(0)));
  phase('angular distance between the streams n layers apart', 'angular');
  const distances = angularDistances(model, batches);
  const choices = {
    model,
    batches,
    prune: { strategy: choice.strategy ?? 'every-other', metric: choice.metric ?? 'loss-increase' },
    statistics: () => statistics,
    angularDistances: () => distances,
  } as const;
  const sweeps: DepthMeasurements['sweeps'] = {};
  for (const strategy of MODEL_STRATEGIES) {
    if (context.signal?.aborted) throw new UserError('cancelled');
    phase(`${strategy} at every depth ${model.layers}…1`, 'sweep');
    sweeps[strategy] = depthSweep(model, batches, chooser(choices, { strategy }).select);
  }
  const { strategy, metric, target, select, margin } = chooser(choices, choice);
  return { fullLoss, statistics, angularDistance: distances, sweeps, strategy, metric, target, keep: select(target), margin: margin?.(target) };
}
