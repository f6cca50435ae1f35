import * as tf from '../backend/tf';
import type { Batch, Transformer } from '../model/transformer';

/**
 * Block Influence (ShortGPT, Men et al. 2024): BI_l = 1 − mean over tokens of cos(x_in, x_out),
 * measured with every layer running. A layer that barely turns the residual stream scores near 0.
 */
export function blockInfluence(model: Transformer, batches: Batch[]): number[] {
  const sums = new Array<number>(model.layers).fill(0);
  let tokens = 0;
  const layers = Array.from({ length: model.layers }, (_, l) => l);
  for (const batch of batches) {
    const cosines: tf.Tensor[] = [];
    tf.tidy(() => {
      model.forward(batch, {
        layers,
        training: false,
        onLayer: (_, input, output) => {
          const dot = input.mul(output).sum(-1);
          const norms = input.norm('euclidean', -1).mul(output.norm('euclidean', -1)).add(1e-12);
          cosines.push(tf.keep(dot.div(norms).sum()));
        },
      });
    });
    const values = tf.tidy(() => tf.stack(cosines).dataSync());
    tf.dispose(cosines);
    values.forEach((value, layer) => (sums[layer] += value));
    tokens += batch.size * batch.length;
  }
  return sums.map((sum) => 1 - sum / tokens);
}
