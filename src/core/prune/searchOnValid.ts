import type { ChoiceMargin } from './choiceMargin';

/** A round's candidates evaluated together: their losses and, when known, the error of a difference between two of them. */
export interface CandidateLosses {
  losses: number[];
  differenceStdErr?: (a: number, b: number) => number;
}

export interface SearchResult {
  /** The kept layers at every depth, index r = depth. */
  byDepth: number[][];
  /** At every depth below N: the second-best candidate of the round that chose it. */
  margins: Array<ChoiceMargin | undefined>;
}

/**
 * Greedy search on validation data: starting from all N layers, repeatedly remove the layer whose
 * removal gives the lowest validation loss. Evaluates N(N+1)/2 − 1 sub-networks, a round's
 * candidates in one call of `lossesOf` (the engine evaluates them together, sharing their common
 * prefixes). `protectEnds` is SLEB's variant: the first and last layers stay until they are all
 * that is left.
 */
export function searchOnValid(layers: number, lossesOf: (candidates: number[][]) => CandidateLosses, options: { protectEnds?: boolean } = {}): SearchResult {
  let kept = Array.from({ length: layers }, (_, l) => l);
  const byDepth: number[][] = [];
  const margins: Array<ChoiceMargin | undefined> = [];
  byDepth[layers] = kept;
  // SLEB keeps the first and last layers; only when nothing else is left does one of them go.
  const removable = (l: number) => !options.protectEnds || (l !== 0 && l !== layers - 1);
  while (kept.length > 1) {
    const choices = kept.some(removable) ? kept.filter(removable) : kept;
    const candidates = choices.map((removed) => kept.filter((l) => l !== removed));
    const { losses, differenceStdErr } = lossesOf(candidates);
    const [best, second] = losses.map((loss, i) => ({ loss, i })).sort((a, b) => a.loss - b.loss);
    kept = candidates[best.i];
    byDepth[kept.length] = kept;
    if (second && differenceStdErr) margins[kept.length] = { runnerUp: candidates[second.i], difference: second.loss - best.loss, stdErr: differenceStdErr(second.i, best.i) };
  }
  return { byDepth, margins };
}
