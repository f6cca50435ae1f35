/**
 * Gromov et al.'s pruning rule: to keep r of N layers, drop the block of n = N − r consecutive
 * layers whose input and output streams are closest in angle (`distances[n − 1][l]` from l to
 * l + n), i.e. the block that changes the stream least.
 */
export function contiguousBlock(layers: number, target: number, distances: number[][]): number[] {
  const all = Array.from({ length: layers }, (_, l) => l);
  const n = layers - target;
  if (n <= 0) return all;
  const row = distances[n - 1];
  const start = row.indexOf(Math.min(...row));
  return all.filter((l) => l < start || l >= start + n);
}
