import { IMPORTANCE_METRICS, type ImportanceMetric } from '../config/choices';
import { UserError } from '../errors';
import type { LayerStatistics } from './importance';
import { decidingIncrease } from './decidingIncrease';

/** A metric's value per layer, oriented so that higher means more important. */
export function importanceScores(layers: LayerStatistics[], metric: ImportanceMetric): number[] {
  switch (metric) {
    case 'loss-increase':
      return layers.map(decidingIncrease);
    case 'block-influence':
      return layers.map((l) => l.blockInfluence);
    case 'weight-l1':
      return layers.map((l) => l.weightL1);
    case 'grad-norm':
      return layers.map((l) => l.meanGradNorm);
    case 'drop-rate':
      // A layer dropped less often was trained to be relied on more.
      return layers.map((l) => -l.empiricalRate);
    case 'learned-rate':
      if (layers.some((l) => l.learnedRate === undefined)) throw new UserError('importance metric "learned-rate" needs a run trained with layerdrop.schedule "learned"; pick another metric or train with it');
      return layers.map((l) => -l.learnedRate!);
  }
}

/** The metrics these statistics can rank by: learned-rate only for a run trained with learned rates. */
export function measuredMetrics(layers: LayerStatistics[]): ImportanceMetric[] {
  return IMPORTANCE_METRICS.filter((metric) => metric !== 'learned-rate' || (layers.length > 0 && layers.every((l) => l.learnedRate !== undefined)));
}
