/** Approximate widths of a legend entry at the stroke legend's 10 px font: the stroke, the gaps, ~6 px a character. */
const STROKE_AND_GAPS_PX = 34;
const CHARACTER_PX = 6;

/** How many rows Chart.js needs to lay these legend labels out across `width` pixels (it wraps whole entries). */
export function legendRows(labels: readonly string[], width: number): number {
  let rows = 0;
  let used = Infinity;
  for (const label of labels.filter((l) => l !== '')) {
    const entry = STROKE_AND_GAPS_PX + CHARACTER_PX * label.length;
    if (used + entry > width) {
      rows++;
      used = 0;
    }
    used += entry;
  }
  return rows;
}
