import * as tf from '../backend/tf';
import { forwardSharingPrefixes } from '../model/sharedPrefixes';
import type { Batch, LayeredModel } from '../model/layeredModel';
import { cosineSum } from './blockInfluence';
import { pairedStandardError } from '../evaluate/standardError';
import type { LayerDropStatistics } from './dropStatistics';
import { layerWeightL1 } from './weightNorms';

export interface LayerStatistics extends LayerDropStatistics {
  /** Valid loss with this one layer removed, minus the full model's. */
  lossIncrease: number;
  /** The paired standard error of `lossIncrease` over the validation batches (absent in files from before it existed). */
  lossIncreaseStdErr?: number;
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
  const all = Array.from({ length: N }, (_, l) => l);
  const subnetworks = [all, ...all.map((skipped) => all.filter((l) => l !== skipped))];
  const lossSums = new Array<number>(N + 1).fill(0);
  const batchLosses = Array.from({ length: N + 1 }, (): number[] => []);
  const batchPredictions: number[] = [];
  const cosineSums = new Array<number>(N).fill(0);
  let predictions = 0;
  let tokens = 0;
  for (const batch of batches) {
    let predictionsOf = 0;
    const values = tf.tidy(() => {
      const cosines = new Array<tf.Scalar>(N);
      // Layer l's branch is the full network's when every layer before it ran.
      const results = forwardSharingPrefixes(model, batch, subnetworks, (layer, before, input, output) => {
        if (before.length === layer) cosines[layer] = cosineSum(input, output);
      });
      predictionsOf = results[0].count;
      return tf.stack([...results.map((result) => result.loss), ...cosines]).dataSync();
    });
    const n = predictionsOf;
    for (let i = 0; i <= N; i++) {
      lossSums[i] += values[i] * n;
      batchLosses[i].push(values[i]);
    }
    batchPredictions.push(n);
    for (let l = 0; l < N; l++) cosineSums[l] += values[N + 1 + l];
    predictions += n;
    tokens += batch.size * batch.length;
  }
  const fullLoss = lossSums[0] / predictions;
  const weights = layerWeightL1(model);
  const layers = drops.map((drop) => ({
    ...drop,
    lossIncrease: lossSums[drop.layer + 1] / predictions - fullLoss,
    lossIncreaseStdErr: pairedStandardError(batchLosses[drop.layer + 1], batchLosses[0], batchPredictions),
    blockInfluence: 1 - cosineSums[drop.layer] / tokens,
    weightL1: weights[drop.layer],
  }));
  return { fullLoss, layers };
}
