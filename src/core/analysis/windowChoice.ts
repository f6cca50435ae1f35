import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { Batch } from '../data/batch';
import type { UnitCosts } from './timeBudget';

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

/** A window's unit costs at any length, from the windows timed so far. */
export type UnitsAt = (length: number) => UnitCosts;

/**
 * Unit costs at any length from one timed window of `timed` positions: a layer and a readout in
 * proportion to the positions, a layer's read unchanged. It misses what does not shrink with the
 * window (per-product overheads), so a plan choosing another length times that one too (affineUnits).
 */
export function proportionalUnits(units: UnitCosts, timed: number): UnitsAt {
  return (length) => {
    const scale = length / timed;
    return {
      secondsPerBlock: units.secondsPerBlock * scale,
      secondsPerReadout: units.secondsPerReadout * scale,
      secondsPerLayerRead: units.secondsPerLayerRead,
      ...(units.tableRead && { tableRead: { ...units.tableRead, rowsPerWindow: length } }),
    };
  };
}

/**
 * Unit costs at any length from windows timed at two: a layer and a readout each a fixed part and
 * a part per position, through both timings (where the two disagree on which is dearer, the nearer
 * one scaled in proportion); reads as the first timing said.
 */
export function affineUnits(first: { length: number; units: UnitCosts }, second: { length: number; units: UnitCosts }): UnitsAt {
  const [a, b] = [first, second];
  const through = (of: (units: UnitCosts) => number, length: number) => {
    const slope = (of(b.units) - of(a.units)) / (b.length - a.length);
    const nearer = Math.abs(length - a.length) <= Math.abs(length - b.length) ? a : b;
    return slope > 0 ? of(a.units) + slope * (length - a.length) : (of(nearer.units) * length) / nearer.length;
  };
  return (length) => ({
    secondsPerBlock: through((units) => units.secondsPerBlock, length),
    secondsPerReadout: through((units) => units.secondsPerReadout, length),
    secondsPerLayerRead: a.units.secondsPerLayerRead,
    ...(a.units.tableRead && { tableRead: { ...a.units.tableRead, rowsPerWindow: length } }),
  });
}
