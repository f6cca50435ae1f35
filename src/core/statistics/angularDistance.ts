import { batchResults } from '../evaluate/evaluationThreads';
import type { LayeredModel } from '../model/layeredModel';
import type { Batch } from '../data/batch';

/**
 * Gromov et al.'s angular distance arccos(cos(x_l, x_{l+n}))/π between the residual streams n
 * layers apart, averaged over every token of the batches, for every n = 1…N and start l = 0…N−n:
 * `distances[n − 1][l]`. One full pass per batch; the N + 1 streams of a batch stay alive together.
 */
export function angularDistances(model: LayeredModel, batches: Batch[]): number[][] {
  return angularFromSums(batchResults(model, batches, { kind: 'angular' }), model.layers, 0, 1);
}

/** The distances from per-batch numbers holding their tokens at `tokensAt` and the sums (batchTasks.ts's order) from `sumsFrom`. */
export function angularFromSums(perBatch: readonly Float64Array[], layers: number, tokensAt: number, sumsFrom: number): number[][] {
  const tokens = perBatch.reduce((sum, values) => sum + values[tokensAt], 0);
  const sums = Array.from({ length: layers }, (_, n) => new Array<number>(layers - n).fill(0));
  for (const values of perBatch) {
    let i = sumsFrom;
    for (let n = 1; n <= layers; n++) for (let l = 0; l + n <= layers; l++) sums[n - 1][l] += values[i++];
  }
  return sums.map((row) => row.map((sum) => sum / tokens));
}
