import type { DepthRow } from './depthSweep';
import { NOISE_ERRORS } from './standardError';

/** Where a sweep breaks: the one step of depth that costs most, when it costs more than noise. */
export interface DepthBreak {
  /** The shallowest depth before the break. */
  holdsTo: number;
  /** The depth one layer shallower, where the loss jumps (or the accuracy falls). */
  at: number;
  /** What the step loses: nats of loss, or accuracy as a share. */
  jump: number;
  /** Its paired standard error. */
  stdErr: number;
}

/** What a sweep is judged by: how much worse a row is (loss, or accuracy negated) and the paired error of its step from the row one layer deeper. */
interface Measure {
  worse: (row: DepthRow) => number | undefined;
  stepStdErr: (row: DepthRow) => number | undefined;
}

const LOSS: Measure = { worse: (row) => row.loss, stepStdErr: (row) => row.stepStdErr };
const taskMeasure = (task: string): Measure => {
  const score = (row: DepthRow) => row.tasks?.find((t) => t.name === task);
  return { worse: (row) => (score(row) ? -score(row)!.acc : undefined), stepStdErr: (row) => score(row)?.accStepStdErr };
};

/**
 * The largest loss increase (or accuracy drop on `task`) over one step of depth (N→N−1, …, 2→1), as
 * a break when it exceeds `errors` paired standard errors; undefined when no step stands out of the
 * noise, or when the sweep carries no step errors (a single validation batch, or files from before
 * they were kept).
 */
export function breakDepth(rows: readonly DepthRow[], errors = NOISE_ERRORS, task?: string): DepthBreak | undefined {
  const measure = task === undefined ? LOSS : taskMeasure(task);
  const byDepth = [...rows].sort((a, b) => b.depth - a.depth);
  let worst: DepthBreak | undefined;
  for (let i = 1; i < byDepth.length; i++) {
    const [deeper, row] = [byDepth[i - 1], byDepth[i]];
    const [before, after, stdErr] = [measure.worse(deeper), measure.worse(row), measure.stepStdErr(row)];
    if (deeper.depth !== row.depth + 1 || !stdErr || before === undefined || after === undefined) continue;
    const jump = after - before;
    if (jump > errors * stdErr && (!worst || jump > worst.jump)) worst = { holdsTo: deeper.depth, at: row.depth, jump, stdErr };
  }
  return worst;
}

/**
 * "every-other holds to 9 of 16 layers, then loses 0.80 ± 0.02 nats at 8", or that no step stands
 * out; with `task`, the same for its accuracy ("… then loses 12.0 ± 3.1 points of moby-dick-cloze acc at 2").
 */
export function breakText(strategy: string, rows: readonly DepthRow[], task?: string): string | undefined {
  const layers = Math.max(...rows.map((r) => r.depth));
  const measure = task === undefined ? LOSS : taskMeasure(task);
  if (!rows.some((r) => measure.stepStdErr(r))) return undefined;
  const found = breakDepth(rows, NOISE_ERRORS, task);
  const what = task === undefined ? '' : ` of ${task} accuracy`;
  if (!found) return `${strategy}: no single step of depth costs more than ${NOISE_ERRORS} errors${what} from ${layers} layers down to 1`;
  const lost = task === undefined ? `${found.jump.toFixed(found.jump < 0.1 ? 4 : 2)} ± ${found.stdErr.toFixed(4)} nats` : `${(found.jump * 100).toFixed(1)} ± ${(found.stdErr * 100).toFixed(1)} points${what}`;
  return `${strategy} holds to ${found.holdsTo} of ${layers} layers, then loses ${lost} at ${found.at} (the largest step of the sweep)`;
}

/** The break lines of a sweep: by loss, then by each task's accuracy (`brief`: a task's only where it breaks). */
export const breakLines = (strategy: string, rows: readonly DepthRow[], brief = false): string[] =>
  [
    breakText(strategy, rows),
    ...(rows[0]?.tasks ?? []).filter((task) => !brief || breakDepth(rows, NOISE_ERRORS, task.name)).map((task) => breakText(strategy, rows, task.name)),
  ].filter((line): line is string => line !== undefined);
