import type { ImportanceMetric } from '../config/choices';
import type { LayerStatistics } from './importance';

/** A metric's value per layer, oriented so that higher means more important. */
export function importanceScores(layers: LayerStatistics[], metric: ImportanceMetric): number[] {
  switch (metric) {
    case 'loss-increase':
      return layers.map((l) => l.lossIncrease);
    case 'block-influence':
      return layers.map((l) => l.blockInfluence);
    case 'weight-l1':
      return layers.map((l) => l.weightL1);
    case 'grad-norm':
      return layers.map((l) => l.meanGradNorm);
    case 'drop-rate':
      // A layer dropped less often was trained to be relied on more.
      return layers.map((l) => -l.empiricalRate);
  }
}
