/** The page's building blocks, shared by the Depth Explorer and the report. */
import { breakLines } from '../src/core/evaluate/breakDepth';
import type { DepthRow } from '../src/core/evaluate/depthSweep';
import { taskLines } from '../src/core/report/taskText';
import { searchSummary } from '../src/core/report/sublayerText';
import type { RunSnapshot } from '../src/core/run/runSnapshot';
import { sweepsOf } from './charts/runCharts';

export function section(title: string, subtitle?: string): HTMLElement {
  const element = document.createElement('section');
  const heading = document.createElement('h2');
  heading.textContent = title;
  element.appendChild(heading);
  if (subtitle) {
    const note = document.createElement('p');
    note.className = 'subtitle';
    note.textContent = subtitle;
    element.appendChild(note);
  }
  return element;
}

export function hint(text: string): HTMLElement {
  const element = document.createElement('p');
  element.className = 'hint';
  element.textContent = text;
  return element;
}

/** Where each sweep breaks (breakDepth.ts), a hint per strategy; a task's accuracy only where it breaks. */
function breakHints(sweeps: ReadonlyArray<[string, readonly DepthRow[]]>): HTMLElement[] {
  return sweeps.flatMap(([strategy, rows]) => breakLines(strategy, rows, true).map((text) => hint(`${text}.`)));
}

/** Under a sweep chart: where each sweep breaks, and each task's accuracy for the full model and the chosen layers. */
export function sweepHints(run: RunSnapshot): HTMLElement[] {
  const chosen = run.sweeps?.[run.sweep!.strategy] ?? run.sweep!.rows;
  return [...breakHints(sweepsOf(run)), ...taskLines(chosen, run.sweep!.keep).map((text) => hint(`${text}.`))];
}

/** Under the parts chart: how far the sub-block search goes before the loss rises out of noise, and what that saves. */
export function sublayerHints(run: RunSnapshot): HTMLElement[] {
  const text = searchSummary(run.sublayerSearch ?? []);
  return text ? [hint(text)] : [];
}
