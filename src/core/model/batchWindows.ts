import type { Batch } from '../data/batch';

/** A batch cut into one batch per window (row of `size`), each with its own targets, mask and predicted rows. */
export function windowsOf(batch: Batch): Batch[] {
  const { size, length } = batch;
  if (size === 1) return [batch];
  const rows = (b: number) => [b * length, (b + 1) * length] as const;
  return Array.from({ length: size }, (_, b) => {
    const [start, end] = rows(b);
    const window: Batch = { size: 1, length, inputs: batch.inputs.slice(start, end), targets: batch.targets };
    if (batch.mask) window.mask = batch.mask.slice(start, end);
    if (batch.predicted) {
      const picked = [...batch.predicted.keys()].filter((i) => batch.predicted![i] >= start && batch.predicted![i] < end);
      window.predicted = Int32Array.from(picked, (i) => batch.predicted![i] - start);
      window.targets = Int32Array.from(picked, (i) => batch.targets[i]);
    } else {
      // A classifier has one label per window; a language model one target per position.
      window.targets = batch.mask ? batch.targets.slice(b, b + 1) : batch.targets.slice(start, end);
    }
    return window;
  });
}
