import type { DepthRow } from './depthSweep';
import { NOISE_ERRORS } from './standardError';

/** Where a sweep breaks: the one step of depth that costs most, when it costs more than noise. */
export interface DepthBreak {
  /** The shallowest depth before the break. */
  holdsTo: number;
  /** The depth one layer shallower, where the loss jumps. */
  at: number;
  /** Loss at `at` minus loss at `holdsTo`, nats. */
  jump: number;
  /** Its paired standard error. */
  stdErr: number;
}

/**
 * The largest loss increase over one step of depth (N→N−1, …, 2→1), as a break when it exceeds
 * `errors` paired standard errors; undefined when no step stands out of the noise, or when the
 * sweep carries no step errors (a single validation batch, or files from before they were kept).
 */
export function breakDepth(rows: readonly DepthRow[], errors = NOISE_ERRORS): DepthBreak | undefined {
  const byDepth = [...rows].sort((a, b) => b.depth - a.depth);
  let worst: DepthBreak | undefined;
  for (let i = 1; i < byDepth.length; i++) {
    const [deeper, row] = [byDepth[i - 1], byDepth[i]];
    if (deeper.depth !== row.depth + 1 || !row.stepStdErr) continue;
    const jump = row.loss - deeper.loss;
    if (jump > errors * row.stepStdErr && (!worst || jump > worst.jump)) worst = { holdsTo: deeper.depth, at: row.depth, jump, stdErr: row.stepStdErr };
  }
  return worst;
}

/** "every-other holds to 9 of 16 layers, then loses 0.80 ± 0.02 nats at 8", or that no step stands out. */
export function breakText(strategy: string, rows: readonly DepthRow[]): string | undefined {
  const layers = Math.max(...rows.map((r) => r.depth));
  if (!rows.some((r) => r.stepStdErr)) return undefined;
  const found = breakDepth(rows);
  if (!found) return `${strategy}: no single step of depth costs more than ${NOISE_ERRORS} errors from ${layers} layers down to 1`;
  return `${strategy} holds to ${found.holdsTo} of ${layers} layers, then loses ${found.jump.toFixed(found.jump < 0.1 ? 4 : 2)} ± ${found.stdErr.toFixed(4)} nats at ${found.at} (the largest step of the sweep)`;
}
