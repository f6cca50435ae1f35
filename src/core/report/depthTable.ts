import type { Task } from '../config/choices';
import type { DepthRow } from '../evaluate/depthSweep';
import type { HealRecord } from '../run/runFiles';

/**
 * The depth sweep as a fixed-width text table, full model first. With heals of the run
 * (depthlab heal), a "healed" column gives the loss after healing of the rows whose layers were healed.
 */
export function depthTable(task: Task, rows: DepthRow[], healed: readonly HealRecord[] = []): string {
  const full = rows[0];
  const quality = task === 'language-model' ? 'ppl' : 'accuracy';
  const healedLoss = (row: DepthRow) => [...healed].reverse().find((record) => record.keep.join() === row.layers.join())?.after.loss;
  const withHealed = rows.some((row) => healedLoss(row) !== undefined);
  const header = ['depth', 'layers kept', 'valid loss', quality, 'Δ loss', 'ms/batch', ...(withHealed ? ['healed'] : [])];
  const body = rows.map((row) => [
    String(row.depth),
    row.layers.join(','),
    row.loss.toFixed(4),
    task === 'language-model' ? row.perplexity!.toFixed(2) : `${(row.accuracy! * 100).toFixed(1)}%`,
    `${row.loss - full.loss >= 0 ? '+' : ''}${(row.loss - full.loss).toFixed(4)}`,
    row.msPerBatch.toFixed(1),
    ...(withHealed ? [healedLoss(row)?.toFixed(4) ?? ''] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
