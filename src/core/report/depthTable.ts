import type { Task } from '../config/choices';
import type { DepthRow } from '../evaluate/depthSweep';
import type { HealRecord } from '../run/runFiles';
import { NOISE_ERRORS, withinNoise } from '../evaluate/standardError';

const withError = (value: string, stdErr: number | undefined) => (stdErr ? `${value} ± ${stdErr.toFixed(4)}` : value);

/** 2.1105 ± 0.0144. */
export const errorText = (value: number, stdErr?: number) => withError(value.toFixed(4), stdErr);

/** 124.4M, 85.1k: a parameter count at a glance. */
export const countText = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)}B` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));
/** 497.8 MB, 340 kB: weight memory at a glance. */
export const bytesText = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`);

/**
 * The depth sweep as a fixed-width text table, full model first. With heals of the run
 * (depthlab heal), a "healed" column gives the loss after healing of the rows whose layers were healed.
 */
export function depthTable(task: Task, rows: DepthRow[], healed: readonly HealRecord[] = []): string {
  const full = rows[0];
  const quality = task === 'language-model' ? 'ppl' : 'accuracy';
  const healedLoss = (row: DepthRow) => [...healed].reverse().find((record) => record.keep.join() === row.layers.join())?.after.loss;
  const withHealed = rows.some((row) => healedLoss(row) !== undefined);
  const noise = rows.map((row, i) => i > 0 && withinNoise(row.loss - full.loss, row.deltaStdErr));
  const withCost = rows.every((row) => row.parameters !== undefined);
  const tasks = taskColumns(rows);
  const header = [
    'depth',
    'layers kept',
    'valid loss',
    quality,
    'Δ loss',
    'ms/batch',
    ...(withCost ? ['params', 'weights', 'tok/s'] : []),
    ...tasks.map((column) => column.header),
    ...(withHealed ? ['healed'] : []),
    ...(noise.some(Boolean) ? [''] : []),
  ];
  const body = rows.map((row, i) => [
    String(row.depth),
    row.layers.join(','),
    withError(row.loss.toFixed(4), row.stdErr),
    task === 'language-model' ? row.perplexity!.toFixed(2) : `${(row.accuracy! * 100).toFixed(1)}%`,
    withError(`${row.loss - full.loss >= 0 ? '+' : ''}${(row.loss - full.loss).toFixed(4)}`, row.deltaStdErr),
    row.msPerBatch.toFixed(1),
    ...(withCost ? [countText(row.parameters!), bytesText(row.weightBytes!), row.tokensPerSecond === undefined ? '' : Math.round(row.tokensPerSecond).toLocaleString('en-US')] : []),
    ...tasks.map((column) => column.cell(row)),
    ...(withHealed ? [healedLoss(row)?.toFixed(4) ?? ''] : []),
    ...(noise.some(Boolean) ? [noise[i] ? 'within noise' : ''] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const left = new Set([1, header.length - 1].filter((i) => header[i] === '' || i === 1));
  const line = (cells: string[]) => cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const notes = [
    ...(rows.some((row) => row.stdErr) ? [`± one standard error over the validation batches (paired for Δ: both sub-networks see the same text); within noise: |Δ| ≤ ${NOISE_ERRORS} errors.`] : []),
    ...(tasks.length ? [TASK_NOTE] : []),
  ];
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** Says what the task columns hold. */
export const TASK_NOTE = 'acc: % of questions whose right answer has the highest log-likelihood (acc_norm: per character), ± its binomial standard error, as lm-evaluation-harness reports them.';

/** A percentage with its standard error: "33.5 ± 3.3". */
export const percentText = (share: number, stdErr: number) => `${(share * 100).toFixed(1)} ± ${(stdErr * 100).toFixed(1)}`;

/** Per task an acc column, and an acc_norm column where it differs from acc anywhere. */
function taskColumns(rows: readonly DepthRow[]): { header: string; cell: (row: DepthRow) => string }[] {
  return (rows[0]?.tasks ?? []).flatMap(({ name }, t) => {
    const score = (row: DepthRow) => row.tasks?.[t];
    const normDiffers = rows.some((row) => score(row) && score(row)!.accNorm !== score(row)!.acc);
    const cell = (pick: 'acc' | 'accNorm') => (row: DepthRow) => {
      const s = score(row);
      return s ? percentText(s[pick], pick === 'acc' ? s.accStdErr : s.accNormStdErr) : '';
    };
    return [{ header: `${name} acc`, cell: cell('acc') }, ...(normDiffers ? [{ header: 'acc_norm', cell: cell('accNorm') }] : [])];
  });
}
