import type { DepthRow } from '../evaluate/depthSweep';
import type { TaskScore } from '../evaluate/taskScores';
import { percentText } from './depthTable';

const scoreText = (s: TaskScore | undefined) => (s ? `acc ${percentText(s.acc, s.accStdErr)}%, acc_norm ${percentText(s.accNorm, s.accNormStdErr)}%` : 'not measured');

/**
 * Each measured task's accuracy for the full model and for the kept layers:
 * "moby-dick-cloze (200 questions): full acc 39.0 ± 3.5%, …; keeping 0,2,4,6 acc 42.5 ± 3.5%, …".
 */
export function taskLines(sweep: readonly DepthRow[] | undefined, keep: readonly number[], truncated: Readonly<Record<string, number>> = {}): string[] {
  const full = sweep?.reduce<DepthRow | undefined>((deepest, row) => (!deepest || row.depth > deepest.depth ? row : deepest), undefined);
  const kept = sweep?.find((row) => row.layers.join() === keep.join());
  return (full?.tasks ?? []).map((task, t) => {
    const cut = truncated[task.name] ? `; ${truncated[task.name]} with context cut from the left to fit the window` : '';
    return `${task.name} (${task.items} questions${cut}): full ${scoreText(task)}; keeping ${keep.join(',')} ${scoreText(kept?.tasks?.[t])}`;
  });
}
