/**
 * Greedy search on validation data: starting from all N layers, repeatedly remove the layer whose
 * removal gives the lowest validation loss. Returns the kept set for every depth, index r = depth.
 * Evaluates N(N+1)/2 − 1 sub-networks, a round's candidates in one call of `lossesOf` (the engine
 * evaluates them together, sharing their common prefixes).
 */
export function searchOnValid(layers: number, lossesOf: (candidates: number[][]) => number[]): number[][] {
  let kept = Array.from({ length: layers }, (_, l) => l);
  const byDepth: number[][] = [];
  byDepth[layers] = kept;
  while (kept.length > 1) {
    const candidates = kept.map((removed) => kept.filter((l) => l !== removed));
    const losses = lossesOf(candidates);
    kept = candidates[losses.indexOf(Math.min(...losses))];
    byDepth[kept.length] = kept;
  }
  return byDepth;
}
