/**
 * Greedy search on validation data: starting from all N layers, repeatedly remove the layer whose
 * removal gives the lowest validation loss. Returns the kept set for every depth, index r = depth.
 * Evaluates N(N+1)/2 − 1 sub-networks, a round's candidates in one call of `lossesOf` (the engine
 * evaluates them together, sharing their common prefixes). `protectEnds` is SLEB's variant: the
 * first and last layers stay until they are all that is left.
 */
export function searchOnValid(layers: number, lossesOf: (candidates: number[][]) => number[], options: { protectEnds?: boolean } = {}): number[][] {
  let kept = Array.from({ length: layers }, (_, l) => l);
  const byDepth: number[][] = [];
  byDepth[layers] = kept;
  // SLEB keeps the first and last layers; only when nothing else is left does one of them go.
  const removable = (l: number) => !options.protectEnds || (l !== 0 && l !== layers - 1);
  while (kept.length > 1) {
    const choices = kept.some(removable) ? kept.filter(removable) : kept;
    const candidates = choices.map((removed) => kept.filter((l) => l !== removed));
    const losses = lossesOf(candidates);
    kept = candidates[losses.indexOf(Math.min(...losses))];
    byDepth[kept.length] = kept;
  }
  return byDepth;
}
