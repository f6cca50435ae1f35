import { UserError } from '../errors';
import { evaluate } from '../evaluate/evaluate';
import type { Batch, LayeredModel } from '../model/layeredModel';

/** What an analysis on the CPU may take when neither --tokens nor --budget says: about ten minutes. */
export const DEFAULT_CPU_BUDGET_SECONDS = 600;

/** "90", "90s", "5m", "1.5m", "1h", "2m30s" → seconds; anything else is a user error saying what is allowed. */
export function parseDuration(text: string): number {
  const parts = /^\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s?)?\s*$/.exec(text);
  const seconds = parts ? Number(parts[1] ?? 0) * 3600 + Number(parts[2] ?? 0) * 60 + Number(parts[3] ?? 0) : NaN;
  if (!parts || !(seconds > 0)) throw new UserError(`--budget "${text}": allowed: a duration such as 90s, 5m, 1h or 2m30s`);
  return seconds;
}

/** "4 min 10 s", "45 s". */
export function durationText(seconds: number): string {
  if (seconds < 0.1) return `${Number(seconds.toPrecision(1))} s`;
  if (seconds < 60) return `${seconds < 10 && !Number.isInteger(seconds) ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const rest = Math.round(seconds % 60);
  return `${Math.floor(seconds / 60)} min${rest ? ` ${rest} s` : ''}`;
}

/**
 * How many of `available` batches fit `budgetSeconds` when each takes `secondsPerBatch` and
 * `threads` share them; a budget too small for one batch is a user error giving the smallest that works.
 */
export function batchesThatFit(available: number, secondsPerBatch: number, threads: number, budgetSeconds: number): number {
  if (budgetSeconds < secondsPerBatch) {
    throw new UserError(`--budget ${durationText(budgetSeconds)} is less than one batch's analysis here (${durationText(secondsPerBatch)}); the smallest budget that works is ${Math.ceil(secondsPerBatch)}s`);
  }
  return Math.min(available, Math.floor((budgetSeconds * Math.min(threads, available)) / secondsPerBatch));
}

export interface BudgetedBatches {
  batches: Batch[];
  /** The analysis's expected length, from the first batch's pass. */
  expectedSeconds: number;
  text: string;
}

/**
 * The batches an analysis making `passesPerBatch` passes over each batch can measure within
 * `budgetSeconds`: one full-model pass over the first batch is timed, and the batches that fit are
 * kept, in order (the first ones, so that a larger budget measures a superset). `threads` share the
 * batches. A budget too small for one batch is a user error giving the smallest that works.
 */
export function batchesWithinBudget(model: LayeredModel, batches: Batch[], passesPerBatch: number, threads: number, budgetSeconds: number): BudgetedBatches {
  const started = performance.now();
  evaluate(model, batches.slice(0, 1), Array.from({ length: model.layers }, (_, l) => l));
  const secondsPerPass = (performance.now() - started) / 1000;
  const secondsPerBatch = passesPerBatch * secondsPerPass;
  const fit = Math.max(1, batchesThatFit(batches.length, secondsPerBatch, threads, budgetSeconds));
  const kept = batches.slice(0, fit);
  const expectedSeconds = (fit * secondsPerBatch) / Math.min(threads, fit);
  const tokens = kept.reduce((sum, batch) => sum + batch.size * batch.length, 0);
  const limit = fit < batches.length ? `${fit} of ${batches.length} batches fit` : `all ${batches.length} batches fit`;
  return { batches: kept, expectedSeconds, text: `budget ${durationText(budgetSeconds)}: ${limit} (${tokens.toLocaleString('en-US')} tokens; one batch's pass took ${durationText(secondsPerPass)}), about ${durationText(expectedSeconds)}` };
}
