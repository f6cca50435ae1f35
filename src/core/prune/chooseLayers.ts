import type { ImportanceMetric, PruneStrategy } from '../config/schema';
import { UserError } from '../errors';
import { evaluateTogether } from '../evaluate/evaluate';
import { validateKeep } from '../export/prunedCheckpoint';
import { layerDropRates } from '../model/layerDrop';
import type { OpenedRun } from '../pipeline/openRun';
import { dropStatistics } from '../statistics/dropStatistics';
import { layerStatistics } from '../statistics/importance';
import { layerSelector } from './layerSelector';
import { defaultTarget } from './recommendedRate';

export interface LayerChoice {
  strategy?: PruneStrategy;
  target?: number;
  metric?: ImportanceMetric;
  /** Exactly these layers, instead of a strategy. */
  layers?: number[];
}

/** The layers to keep for a trained run: given explicitly, or a strategy's choice at the target depth (the config's by default). */
export function chooseLayers({ model, dataset, meta, counters }: OpenedRun, choice: LayerChoice): number[] {
  const config = meta.config;
  if (choice.layers) {
    const keep = [...choice.layers].sort((a, b) => a - b);
    validateKeep(keep, model.layers);
    return keep;
  }
  const strategy = choice.strategy ?? config.prune.strategy;
  const target = choice.target ?? config.prune.targetLayers ?? defaultTarget(model.layers);
  if (target > model.layers) throw new UserError(`target ${target} is more than the model's ${model.layers} layers; allowed: 1..${model.layers}`);
  const batches = dataset.validBatches(config.train.batchSize, config.train.evalBatches);
  const statistics =
    strategy === 'importance'
      ? layerStatistics(model, batches, dropStatistics(counters, layerDropRates(config.layerdrop, model.layers))).layers
      : undefined;
  return layerSelector(strategy, {
    layers: model.layers,
    statistics,
    metric: choice.metric ?? config.prune.metric,
    lossesOf: (candidates) => evaluateTogether(model, batches, candidates).map((evaluation) => evaluation.loss),
  })(target);
}
