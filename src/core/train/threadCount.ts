import * as os from 'node:os';

/**
 * Training threads the machine gets with `threads: "auto"`: one per core, at most 2 (the bench's
 * measured scaling stops there: 1.4–1.5× on this 2-core machine; more is untested), and a divisor
 * of the batch size so that the shards are equal.
 */
export const MAX_AUTO_THREADS = 2;

export function resolveThreads(threads: number | 'auto', batchSize: number, cores = os.availableParallelism()): number {
  if (threads !== 'auto') return threads;
  for (let t = Math.min(cores, MAX_AUTO_THREADS); t > 1; t--) if (batchSize % t === 0) return t;
  return 1;
}
