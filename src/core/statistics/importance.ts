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
