import * as tf from '../backend/tf';
import type { Batch, Transformer } from '../model/transformer';
import { cosineSum } from './blockInfluence';
import type { LayerDropStatistics } from './dropStatistics';
import { layerWeightL1 } from './weightNorms';

export interface LayerStatistics extends LayerDropStatistics {
  /** Valid loss with this one layer removed, minus the full model's. */
  lossIncrease: number;
  blockInfluence: number;
  weightL1: number;
}

/**
 * Every per-layer statistic a run reports: LayerDrop counters plus importance measured on
 * validation batches. One pass through every layer keeps the residual stream entering each layer
 * (and gives Block Influence); removing layer l then resumes from the stream entering l, so the
 * N removals cost N(N−1)/2 layer evaluations instead of N², about N/2 + 1 full passes in all.
 */
export function layerStatistics(model: Transformer, batches: Batch[], drops: LayerDropStatistics[]): { fullLoss: number; layers: LayerStatistics[] } {
  const N = model.layers;
  const lossSums = new Array<number>(N + 1).fill(0);
  const cosineSums = new Array<number>(N).fill(0);
  let predictions = 0;
  let tokens = 0;
  for (const batch of batches) {
    const values = tf.tidy(() => {
      const options = { training: false };
      const stream = model.embed(batch, options);
      const entering: tf.Tensor2D[] = [];
      const cosines: tf.Scalar[] = [];
      // Each layer in its own tidy: only the streams between layers stay alive, not every intermediate.
      const run = (x: tf.Tensor2D, layer: number) => tf.tidy(() => model.block({ ...stream, x }, layer, options));
      for (let layer = 0; layer < N; layer++) {
        entering.push(stream.x);
        stream.x = run(stream.x, layer);
        cosines.push(cosineSum(entering[layer], stream.x));
      }
      const full = model.readout(stream.x, batch).loss;
      const removed = entering.map((x, skipped) => {
        let resumed = x;
        for (let layer = skipped + 1; layer < N; layer++) resumed = run(resumed, layer);
        return model.readout(resumed, batch).loss;
      });
      return tf.stack([full, ...removed, ...cosines]).dataSync();
    });
    const n = model.shape.task === 'language-model' ? batch.size * batch.length : batch.size;
    for (let i = 0; i <= N; i++) lossSums[i] += values[i] * n;
    for (let l = 0; l < N; l++) cosineSums[l] += values[N + 1 + l];
    predictions += n;
    tokens += batch.size * batch.length;
  }
  const fullLoss = lossSums[0] / predictions;
  const weights = layerWeightL1(model);
  const layers = drops.map((drop) => ({
    ...drop,
    lossIncrease: lossSums[drop.layer + 1] / predictions - fullLoss,
    blockInfluence: 1 - cosineSums[drop.layer] / tokens,
    weightL1: weights[drop.layer],
  }));
  return { fullLoss, layers };
}
