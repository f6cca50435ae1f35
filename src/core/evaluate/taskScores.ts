import { batchResults } from './evaluationThreads';
import type { LayeredModel } from '../model/layeredModel';
import type { PreparedTask } from '../tasks/taskBatches';

/** A sub-network's accuracy on a multiple-choice task, as lm-evaluation-harness reports it. */
export interface TaskScore {
  name: string;
  items: number;
  /** Share of items whose gold continuation has the highest summed log-likelihood. */
  acc: number;
  accStdErr: number;
  /** The same with each log-likelihood divided by its choice's length in characters. */
  accNorm: number;
  accNormStdErr: number;
  /** In a sweep: the paired standard error of acc minus acc one layer deeper, item by item. */
  accStepStdErr?: number;
}

/** Each item right or wrong (1 or 0) by acc and by acc_norm, for pairing one sub-network with another. */
export interface ItemOutcomes {
  acc: Float64Array;
  accNorm: Float64Array;
}

/** The task scored for several sub-networks on the same rows, shared prefixes computed once per batch. */
export function scoreTask(model: LayeredModel, task: PreparedTask, subnetworks: ReadonlyArray<readonly number[]>): { scores: TaskScore[]; outcomes: ItemOutcomes[] } {
  const perBatch = batchResults(model, task.batches, { kind: 'choices', subnetworks: subnetworks.map((layers) => [...layers]) });
  const outcomes = subnetworks.map((_, s) => {
    const logLikelihoods = perBatch.flatMap((values) => {
      const rows = values[0];
      return Array.from(values.subarray(1 + s * rows, 1 + (s + 1) * rows), (loss) => -loss);
    });
    return itemOutcomes(task, logLikelihoods);
  });
  const scores = outcomes.map(({ acc, accNorm }) => ({
    name: task.name,
    items: task.items.length,
    acc: mean(acc),
    accStdErr: meanStdErr(acc),
    accNorm: mean(accNorm),
    accNormStdErr: meanStdErr(accNorm),
  }));
  return { scores, outcomes };
}

/** Per item: right when the gold choice has the largest log-likelihood (the first largest, as argmax), raw and per character. */
export function itemOutcomes(task: Pick<PreparedTask, 'items'>, logLikelihoods: readonly number[]): ItemOutcomes {
  const acc = new Float64Array(task.items.length);
  const accNorm = new Float64Array(task.items.length);
  let row = 0;
  task.items.forEach((item, i) => {
    const scores = logLikelihoods.slice(row, row + item.choices);
    row += item.choices;
    acc[i] = argMax(scores) === item.gold ? 1 : 0;
    accNorm[i] = argMax(scores.map((score, c) => score / Math.max(1, item.normLengths[c]))) === item.gold ? 1 : 0;
  });
  return { acc, accNorm };
}

/** The paired standard error of a's mean minus b's, item by item. */
export const pairedOutcomeStdErr = (a: Float64Array, b: Float64Array) => meanStdErr(a.map((value, i) => value - b[i]));

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / Math.max(1, values.length);
}

/** The harness's mean_stderr: the sample standard deviation (n − 1) over √n; for 0/1 outcomes √(p(1 − p)/(n − 1)). */
export function meanStdErr(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return 0;
  const mu = mean(values);
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - mu) ** 2;
  return Math.sqrt(squares / (n - 1) / n);
}

function argMax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
