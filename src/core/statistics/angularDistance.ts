import { batchResults } from '../evaluate/evaluationThreads';
import type { LayeredModel } from '../model/layeredModel';
import type { Batch } from '../data/batch';

/**
 * Gromov et al.'s angular distance arccos(cos(x_l, x_{l+n}))/π between the residual streams n
 * layers apart, averaged over every token of the batches, for every n = 1…N and start l = 0…N−n:
 * `distances[n − 1][l]`. One full pass per batch; the N + 1 streams of a batch stay alive together.
 */
export function angularDistances(model: LayeredModel, batches: Batch[]): number[][] {
  const N = model.layers;
  const perBatch = batchResults(model, batches, { kind: 'angular' });
  const tokens = perBatch.reduce((sum, values) => sum + values[0], 0);
  const sums = Array.from({ length: N }, (_, n) => new Array<number>(N - n).fill(0));
  for (const values of perBatch) {
    let i = 1;
    for (let n = 1; n <= N; n++) for (let l = 0; l + n <= N; l++) sums[n - 1][l] += values[i++];
  }
  return sums.map((row) => row.map((sum) => sum / tokens));
}
