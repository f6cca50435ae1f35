import type { ImportanceMetric, PruneStrategy } from '../config/choices';
import { evaluateTogether } from '../evaluate/evaluate';
import type { Batch, LayeredModel } from '../model/layeredModel';
import { angularDistances } from '../statistics/angularDistance';
import type { LayerStatistics } from '../statistics/importance';
import { keptLayers } from './keptLayers';
import { layerSelector } from './layerSelector';
import { targetDepth } from './targetDepth';

/** What a user asks for: exactly these layers, or a strategy at a target depth (the config's choices by default). */
export interface LayerChoice {
  strategy?: PruneStrategy;
  target?: number;
  metric?: ImportanceMetric;
  layers?: number[];
}

export interface Chooser {
  strategy: PruneStrategy;
  metric: ImportanceMetric;
  target: number;
  /** The strategy's layers at any depth. */
  select: (target: number) => number[];
}

export interface ChoiceContext {
  model: LayeredModel;
  batches: Batch[];
  prune: { strategy: PruneStrategy; metric: ImportanceMetric; targetLayers?: number; protectEnds?: boolean };
  /** Per-layer statistics, measured on demand: only `importance` ranks by them. */
  statistics: () => LayerStatistics[];
  /** Angular distances, when already measured; else measured on the batches if `contiguous-block` asks. */
  angularDistances?: () => number[][];
}

/** The strategy the choice names, ready to pick layers at every depth. */
export function chooser(context: ChoiceContext, choice: LayerChoice): Chooser {
  const layers = context.model.layers;
  const strategy = choice.strategy ?? context.prune.strategy;
  const metric = choice.metric ?? context.prune.metric;
  const target = targetDepth(layers, context.prune.targetLayers, choice.target);
  const select = layerSelector(strategy, {
    layers,
    metric,
    statistics: strategy === 'importance' ? context.statistics() : undefined,
    protectEnds: context.prune.protectEnds,
    lossesOf: (candidates) => evaluateTogether(context.model, context.batches, candidates).map((evaluation) => evaluation.loss),
    angularDistances: context.angularDistances ?? (() => angularDistances(context.model, context.batches)),
  });
  return { strategy, metric, target, select };
}

/**
 * The layers to keep: the choice's own list; else, when no strategy or target is asked for,
 * `fallback` (the config's layersToKeep); else the strategy's layers at the target.
 */
export function chooseLayers(context: ChoiceContext, choice: LayerChoice, fallback?: readonly number[]): number[] {
  const asksForStrategy = choice.strategy !== undefined || choice.target !== undefined;
  const given = choice.layers ?? (asksForStrategy ? undefined : fallback);
  if (given) return keptLayers(given, context.model.layers);
  const { select, target } = chooser(context, choice);
  return select(target);
}
