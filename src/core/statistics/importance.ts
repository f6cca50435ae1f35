import type { ImportanceMetric } from '../config/schema';
import { evaluate } from '../evaluate/evaluate';
import type { Batch, Transformer } from '../model/transformer';
import { blockInfluence } from './blockInfluence';
import type { LayerDropStatistics } from './dropStatistics';
import { layerWeightL1 } from './weightNorms';

export interface LayerStatistics extends LayerDropStatistics {
  /** Valid loss with this one layer removed, minus the full model's. */
  lossIncrease: number;
  blockInfluence: number;
  weightL1: number;
}

/** Every per-layer statistic a run reports: LayerDrop counters plus importance measured on validation batches. */
export function layerStatistics(model: Transformer, batches: Batch[], drops: LayerDropStatistics[]): { fullLoss: number; layers: LayerStatistics[] } {
  const all = Array.from({ length: model.layers }, (_, l) => l);
  const fullLoss = evaluate(model, batches, all).loss;
  const influence = blockInfluence(model, batches);
  const weights = layerWeightL1(model);
  const layers = drops.map((drop) => ({
    ...drop,
    lossIncrease: evaluate(model, batches, all.filter((l) => l !== drop.layer)).loss - fullLoss,
    blockInfluence: influence[drop.layer],
    weightL1: weights[drop.layer],
  }));
  return { fullLoss, layers };
}

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
