import type { LayeredModel } from '../model/layeredModel';
import type { Batch } from '../data/batch';
import { batchResults } from '../evaluate/evaluationThreads';
import { pairedStandardError } from '../evaluate/standardError';
import type { LayerDropStatistics } from './dropStatistics';
import { layerWeightL1 } from './weightNorms';

export interface LayerStatistics extends LayerDropStatistics {
  /** Valid loss with this one layer removed, minus the full model's; absent where a budget left the layer with its estimate alone. */
  lossIncrease?: number;
  /** The paired standard error of `lossIncrease` over the validation batches (absent in files from before it existed). */
  lossIncreaseStdErr?: number;
  /** The first-order estimate of `lossIncrease` (lossEstimates.ts), where a budget measured that first. */
  lossIncreaseEstimate?: number;
  /** Its standard error over the validation batches. */
  lossIncreaseEstimateStdErr?: number;
  blockInfluence: number;
  weightL1: number;
}

/**
 * Every per-layer statistic a run reports: LayerDrop counters plus importance measured on
 * validation batches. The full network and the N networks missing one layer walk one prefix tree:
 * removing layer l resumes from the stream entering l, so the N removals cost N(N−1)/2 layer
 * evaluations instead of N², about N/2 + 1 full passes in all. Block Influence compares the streams
 * around each layer on the full network's branch.
 */
export function layerStatistics(model: LayeredModel, batches: Batch[], drops: LayerDropStatistics[]): { fullLoss: number; layers: LayerStatistics[] } {
  const N = model.layers;
  const perBatch = batchResults(model, batches, { kind: 'layer-statistics' });
  const predictionsOf = perBatch.map((values) => values[0]);
  const predictions = predictionsOf.reduce((a, b) => a + b, 0);
  const tokens = perBatch.reduce((sum, values) => sum + values[1], 0);
  // Sub-network 0 is the full network, 1 + l the one without layer l.
  const batchLosses = Array.from({ length: N + 1 }, (_, i) => perBatch.map((values) => values[2 + i]));
  const lossOf = (i: number) => batchLosses[i].reduce((sum, value, b) => sum + value * predictionsOf[b], 0) / predictions;
  const cosineSums = Array.from({ length: N }, (_, l) => perBatch.reduce((sum, values) => sum + values[2 + N + 1 + l], 0));
  const fullLoss = lossOf(0);
  const weights = layerWeightL1(model);
  const layers = drops.map((drop) => ({
    ...drop,
    lossIncrease: lossOf(drop.layer + 1) - fullLoss,
    lossIncreaseStdErr: pairedStandardError(batchLosses[drop.layer + 1], batchLosses[0], predictionsOf),
    blockInfluence: 1 - cosineSums[drop.layer] / tokens,
    weightL1: weights[drop.layer],
  }));
  return { fullLoss, layers };
}
