/**
 * Standard error of a mean loss measured batch by batch: each validation batch is a block of
 * consecutive windows, and the spread of the block means (weighted by their predictions) gives
 * the error of the overall mean, the batch-means estimator, which also absorbs any correlation
 * between neighbouring windows. It shrinks as 1/√(windows evaluated). 0 with fewer than 2 batches.
 */
export function standardError(batchMeans: readonly number[], weights: readonly number[]): number {
  const B = batchMeans.length;
  if (B < 2) return 0;
  const total = weights.reduce((a, b) => a + b, 0);
  const mean = batchMeans.reduce((sum, m, b) => sum + m * weights[b], 0) / total;
  const squares = batchMeans.reduce((sum, m, b) => sum + (weights[b] * (m - mean)) ** 2, 0);
  return Math.sqrt((squares * B) / (B - 1)) / total;
}

/**
 * The error of a difference between two sub-networks evaluated on the same batches: the standard
 * error of the per-batch differences, much smaller than the two errors combined because both
 * see the same text.
 */
export function pairedStandardError(a: readonly number[], b: readonly number[], weights: readonly number[]): number {
  return standardError(a.map((value, i) => value - b[i]), weights);
}

/** How many standard errors a difference must exceed to count as more than noise (about 95%). */
export const NOISE_ERRORS = 2;

/** A difference no larger than NOISE_ERRORS of its standard error. */
export const withinNoise = (difference: number, stdErr: number | undefined) => stdErr !== undefined && stdErr > 0 && Math.abs(difference) <= NOISE_ERRORS * stdErr;
