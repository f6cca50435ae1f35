import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { Batch } from '../data/batch';

/** The text cut at any window length and batch size, for a planner free to choose its windows. */
export interface WindowCuts {
  /** The length the text was cut at (the request's window, or 256): the unit costs are timed on it. */
  length: number;
  /** Other lengths the planner may choose: none where the user gave --window. */
  others: number[];
  cut(length: number, windowsPerBatch: number): Batch[];
}

/**
 * The half-width of a mean's 95% interval measured batch by batch (standardError.ts), in units of
 * one token's spread: Student's t with a degree of freedom fewer than the batches, over √tokens.
 * Two batches pay t = 12.7, four 3.2, ten 2.3: few batches cost more than their tokens say.
 */
export const decisionInterval = (batches: number, tokens: number): number => (batches < 2 ? Infinity : tQuantile(0.975, batches - 1) / Math.sqrt(tokens));

/** Windows per batch a plan may take: more share each layer read, fewer give the interval batches. */
export const WINDOWS_PER_BATCH = [4, 2, 1] as const;

/**
 * Lengths a planner may try beside `window`: half to twice it, within the model's positions,
 * nearest first. Its batches never hold more positions than four windows of `window` (what an
 * analysis held before it chose), so the memory a plan needs stays what it was.
 */
export function otherLengths(window: number, maxWindow: number): number[] {
  const lengths = [0.75, 1.5, 0.5, 2].map((scale) => Math.round(window * scale)).filter((length) => length >= 16 && length <= maxWindow && length !== window);
  return [...new Set(lengths)];
}

/** At most this many positions a batch: four windows of the length the text was cut at. */
export const batchPositions = (cuts: Pick<WindowCuts, 'length'>) => 4 * cuts.length;
