/**
 * Greedy search on validation data: starting from all N layers, repeatedly remove the layer whose
 * removal gives the lowest validation loss. Returns the kept set for every depth, index r = depth.
 * Costs N(N+1)/2 − 1 evaluations.
 */
export function searchOnValid(layers: number, lossOf: (kept: number[]) => number): number[][] {
  let kept = Array.from({ length: layers }, (_, l) => l);
  const byDepth: number[][] = [];
  byDepth[layers] = kept;
  while (kept.length > 1) {
    let best: number[] = [];
    let bestLoss = Infinity;
    for (const candidate of kept) {
      const without = kept.filter((l) => l !== candidate);
      const loss = lossOf(without);
      if (loss < bestLoss) {
        bestLoss = loss;
        best = without;
      }
    }
    kept = best;
    byDepth[kept.length] = kept;
  }
  return byDepth;
}
