import { addCosts, walkCost, type WalkCost } from '../evaluate/walkCost';
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

export interface SearchOptions {
  /** SLEB's variant: the first and last layers stay until they are all that is left. */
  protectEnds?: boolean;
  /** Bounded search: each round tries removing only the `width` kept layers that `score` ranks least important. */
  width?: number;
  /** Per layer, higher is more important (the single-removal loss increase); needed with `width`. */
  score?: readonly number[];
}

/**
 * Greedy search on validation data: starting from all N layers, repeatedly remove the layer whose
 * removal gives the lowest validation loss. Evaluates N(N+1)/2 − 1 sub-networks, a round's
 * candidates in one call of `lossesOf` (the engine evaluates them together, sharing their common
 * prefixes). With `width`, a round tries only that many removals (the cheap ranking's weakest
 * layers), so the search costs O(width·N) sub-networks instead of O(N²).
 */
export function searchOnValid(layers: number, lossesOf: (candidates: number[][]) => CandidateLosses, options: SearchOptions = {}): SearchResult {
  let kept = Array.from({ length: layers }, (_, l) => l);
  const byDepth: number[][] = [];
  const margins: Array<ChoiceMargin | undefined> = [];
  byDepth[layers] = kept;
  while (kept.length > 1) {
    const candidates = roundRemovals(kept, layers, options).map((removed) => kept.filter((l) => l !== removed));
    const { losses, differenceStdErr } = lossesOf(candidates);
    const [best, second] = losses.map((loss, i) => ({ loss, i })).sort((a, b) => a.loss - b.loss);
    kept = candidates[best.i];
    byDepth[kept.length] = kept;
    if (second && differenceStdErr) margins[kept.length] = { runnerUp: candidates[second.i], difference: second.loss - best.loss, stdErr: differenceStdErr(second.i, best.i) };
  }
  return { byDepth, margins };
}

/** The layers a round tries removing from `kept`, ascending. */
function roundRemovals(kept: number[], layers: number, { protectEnds, width, score }: SearchOptions): number[] {
  // SLEB keeps the first and last layers; only when nothing else is left does one of them go.
  const removable = (l: number) => !protectEnds || (l !== 0 && l !== layers - 1);
  const choices = kept.some(removable) ? kept.filter(removable) : kept;
  if (width === undefined || choices.length <= width) return choices;
  if (!score) throw new Error('a bounded search needs a ranking');
  return [...choices].sort((a, b) => score[a] - score[b] || a - b).slice(0, width).sort((a, b) => a - b);
}

/** What the search's rounds cost per batch, at most: each round's removals taken as early in the stack as they can be (the least shared prefix). */
export function searchCost(layers: number, options: Omit<SearchOptions, 'score'> = {}): WalkCost {
  const rounds: WalkCost[] = [];
  for (let k = layers; k > 1; k--) {
    const kept = Array.from({ length: k }, (_, l) => l);
    const earliest = roundRemovals(kept, k, { ...options, width: undefined }).slice(0, options.width);
    rounds.push(walkCost(earliest.map((removed) => kept.filter((l) => l !== removed))));
  }
  return addCosts(...rounds);
}
