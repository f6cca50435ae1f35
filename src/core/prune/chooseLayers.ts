import type { ImportanceMetric, PruneStrategy } from '../config/choices';
import { differenceStdErr, evaluateBatches } from '../evaluate/evaluate';
import type { ChoiceMargin } from './choiceMargin';
import type { LayeredModel } from '../model/layeredModel';
import type { Batch } from '../data/batch';
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
  /** search-on-valid, and importance by loss increase: how clearly the choice at a depth beat the runner-up. */
  margin?: (target: number) => ChoiceMargin | undefined;
}

export interface ChoiceContext {
  model: LayeredModel;
  batches: Batch[];
  prune: { strategy: PruneStrategy; metric: ImportanceMetric; targetLayers?: number; protectEnds?: boolean; searchWidth?: number };
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
  const { select, margin } = layerSelector(strategy, {
    layers,
    metric,
    statistics: strategy === 'importance' || (strategy === 'search-on-valid' && context.prune.searchWidth !== undefined) ? context.statistics() : undefined,
    protectEnds: context.prune.protectEnds,
    searchWidth: context.prune.searchWidth,
    lossesOf: (candidates) => {
      const evaluated = evaluateBatches(context.model, context.batches, candidates);
      return { losses: evaluated.evaluations.map((evaluation) => evaluation.loss), differenceStdErr: (a, b) => differenceStdErr(evaluated, a, b) };
    },
    angularDistances: context.angularDistances ?? (() => angularDistances(context.model, context.batches)),
  });
  return { strategy, metric, target, select, margin };
}

/**
 * The layers to keep: the choice's own list; else, when no strategy or target is asked for,
 * `fallback` (the config's layersToKeep); else the strategy's layers at the target.
 */
export function chooseLayers(context: ChoiceContext, choice: LayerChoice, fallback?: readonly number[]): number[] {
  return chosenLayers(context, choice, fallback).keep;
}

/** `chooseLayers`, with how clearly a data-driven strategy's choice beat its runner-up. */
export function chosenLayers(context: ChoiceContext, choice: LayerChoice, fallback?: readonly number[]): { keep: number[]; margin?: ChoiceMargin } {
  const asksForStrategy = choice.strategy !== undefined || choice.target !== undefined;
  const given = choice.layers ?? (asksForStrategy ? undefined : fallback);
  if (given) return { keep: keptLayers(given, context.model.layers) };
  const { select, margin, target } = chooser(context, choice);
  return { keep: select(target), margin: margin?.(target) };
}
