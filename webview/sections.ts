/** The page's building blocks, shared by the Depth Explorer and the report. */
import { breakLines } from '../src/core/evaluate/breakDepth';
import type { DepthRow } from '../src/core/evaluate/depthSweep';

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

/** Where each sweep breaks (breakDepth.ts), a hint per strategy. */
export function breakHints(sweeps: ReadonlyArray<[string, readonly DepthRow[]]>): HTMLElement[] {
  return sweeps.flatMap(([strategy, rows]) => breakLines(strategy, rows).map((text) => hint(`${text}.`)));
}
