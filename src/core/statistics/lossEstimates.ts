import type { LayeredModel } from '../model/layeredModel';
import type { Batch } from '../data/batch';
import { batchResults } from '../evaluate/evaluationThreads';
import { layerWeightL1 } from './weightNorms';
import { standardError, pairedStandardError } from '../evaluate/standardError';
import { angularFromSums } from './angularDistance';
import { dropStatistics, emptyCounters } from './dropStatistics';
import type { LayerStatistics } from './importance';

/** What the estimates pass measured, with the per-batch full losses that exact removals measured later pair with. */
export interface EstimatedLayers {
  fullLoss: number;
  layers: LayerStatistics[];
  angularDistance: number[][];
  /** The full network's mean loss on each batch, and each batch's predictions. */
  batchLosses: number[];
  predictions: number[];
}

/**
 * Every layer's first-order loss increase (LLM-Pruner's Taylor importance at the granularity of a
 * whole layer): removing layer l moves the stream leaving it by x_l − x_{l+1}, and the loss's
 * gradient there says what that costs to first order. One forward and one backward pass a batch
 * (batchTasks.ts) instead of the N/2 + 1 passes the exact removals take; Block Influence and the
 * angular distances come from the same forward. Combined over batches as the exact values are.
 */
export function estimatedLayerStatistics(model: LayeredModel, batches: Batch[]): EstimatedLayers {
  const N = model.layers;
  const perBatch = batchResults(model, batches, { kind: 'estimates' });
  const predictions = perBatch.map((values) => values[0]);
  const total = predictions.reduce((a, b) => a + b, 0);
  const tokens = perBatch.reduce((sum, values) => sum + values[1], 0);
  const mean = (at: number) => perBatch.reduce((sum, values, b) => sum + values[at] * predictions[b], 0) / total;
  const weights = layerWeightL1(model);
  const layers = dropStatistics(emptyCounters(N), new Array(N).fill(0)).map((drop) => ({
    ...drop,
    lossIncreaseEstimate: mean(3 + drop.layer),
    lossIncreaseEstimateStdErr: standardError(
      perBatch.map((values) => values[3 + drop.layer]),
      predictions,
    ),
    blockInfluence: 1 - perBatch.reduce((sum, values) => sum + values[3 + N + drop.layer], 0) / tokens,
    weightL1: weights[drop.layer],
  }));
  return { fullLoss: mean(2), layers, angularDistance: angularFromSums(perBatch, N, 1, 3 + 2 * N), batchLosses: perBatch.map((values) => values[2]), predictions };
}

/** The exact loss increase of removing each of `removed` alone, ± its paired error against the full network's batch losses: one walk sharing prefixes. */
export function exactLossIncreases(model: LayeredModel, batches: Batch[], removed: readonly number[], full: Pick<EstimatedLayers, 'fullLoss' | 'batchLosses' | 'predictions'>): { lossIncrease: number; lossIncreaseStdErr: number }[] {
  const perBatch = batchResults(model, batches, { kind: 'evaluate', subnetworks: removalSubnetworks(model.layers, removed) });
  const total = full.predictions.reduce((a, b) => a + b, 0);
  return removed.map((_, i) => {
    const losses = perBatch.map((values) => values[2 + 3 * i]);
    const loss = losses.reduce((sum, value, b) => sum + value * full.predictions[b], 0) / total;
    return { lossIncrease: loss - full.fullLoss, lossIncreaseStdErr: pairedStandardError(losses, full.batchLosses, full.predictions) };
  });
}

/** The sub-networks that each leave out one of `removed`, every other layer of `layers` kept. */
export function removalSubnetworks(layers: number, removed: readonly number[]): number[][] {
  const all = Array.from({ length: layers }, (_, l) => l);
  return removed.map((layer) => all.filter((l) => l !== layer));
}
