import * as tf from '../backend/tf';
import type { Batch, LayeredModel } from '../model/layeredModel';

/**
 * Gromov et al.'s angular distance arccos(cos(x_l, x_{l+n}))/π between the residual streams n
 * layers apart, averaged over every token of the batches, for every n = 1…N and start l = 0…N−n:
 * `distances[n − 1][l]`. One full pass per batch; the N + 1 streams of a batch stay alive together.
 */
export function angularDistances(model: LayeredModel, batches: Batch[]): number[][] {
  const N = model.layers;
  const sums = Array.from({ length: N }, (_, n) => new Array<number>(N - n).fill(0));
  let tokens = 0;
  for (const batch of batches) {
    const values = tf.tidy(() => {
      const options = { training: false };
      const stream = model.embed(batch, options);
      const unit = [tf.div(stream.x, tf.norm(stream.x, 'euclidean', -1, true).add(1e-12))];
      for (let layer = 0; layer < N; layer++) {
        stream.x = model.block(stream, layer, options);
        unit.push(tf.div(stream.x, tf.norm(stream.x, 'euclidean', -1, true).add(1e-12)));
      }
      const pairs: tf.Scalar[] = [];
      for (let n = 1; n <= N; n++) {
        for (let l = 0; l + n <= N; l++) pairs.push(tf.acos(tf.clipByValue(unit[l].mul(unit[l + n]).sum(-1), -1, 1)).sum().div(Math.PI) as tf.Scalar);
      }
      return tf.stack(pairs).dataSync();
    });
    let i = 0;
    for (let n = 1; n <= N; n++) for (let l = 0; l + n <= N; l++) sums[n - 1][l] += values[i++];
    tokens += batch.size * batch.length;
  }
  return sums.map((row) => row.map((sum) => sum / tokens));
}
