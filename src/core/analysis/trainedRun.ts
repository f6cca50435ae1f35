import type { Batch } from '../data/batch';
import { layerDropRates } from '../model/layerDrop';
import type { ChoiceContext } from '../prune/chooseLayers';
import type { RunPaths } from '../run/runPaths';
import { validationBatches, type OpenedModel } from '../run/openModel';
import { dropStatistics } from '../statistics/dropStatistics';
import { layerStatistics } from '../statistics/importance';
import { LearnedDropRates, learnedRatesOn } from '../train/learnedDropRates';
import type { TrainingRecord } from '../train/optimizerState';

/** A trained model with its run: what analysis, pruning and export work on. */
export interface TrainedRun {
  paths: RunPaths;
  opened: OpenedModel;
  record: TrainingRecord;
}

/** Per-layer statistics: the run's LayerDrop counters (and learned rates) and importance measured on the batches. */
export function measureLayers({ opened, record }: Pick<TrainedRun, 'opened' | 'record'>, batches: Batch[]) {
  const { model, config } = opened;
  const learned = record.learned && learnedRatesOn(new LearnedDropRates(model.layers, config.model.dModel, config.layerdrop.rate, record.learned), model, batches);
  return layerStatistics(model, batches, dropStatistics(record.counters, layerDropRates(config.layerdrop, model.layers), learned));
}

/** How to choose layers of a trained run, measuring statistics only if the strategy asks for them. */
export function choiceContext(trained: Pick<TrainedRun, 'opened' | 'record'>, batches = validationBatches(trained.opened)): ChoiceContext {
  return { model: trained.opened.model, batches, prune: trained.opened.config.prune, statistics: () => measureLayers(trained, batches).layers };
}
