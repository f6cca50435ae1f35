import type { ChartConfiguration } from 'chart.js';
import type { Comparison } from '../../src/core/compare/compareSummary';
import type { ImportanceMetric } from '../../src/core/config/choices';
import { importanceScores } from '../../src/core/statistics/importanceScores';
import { decidingStdErr } from '../../src/core/statistics/decidingIncrease';
import type { DepthRow } from '../../src/core/evaluate/depthSweep';
import type { RunSnapshot } from '../../src/core/run/runSnapshot';
import { chartTheme } from './theme';
import type { WithErrors } from './errorBars';
import { nthSeries, strategySeries, STROKE_LEGEND } from './seriesStyle';
import { withinNoise } from '../../src/core/evaluate/standardError';
import { bytesText, countText, percentText } from '../../src/core/report/depthTable';

const layerLabels = (n: number) => Array.from({ length: n }, (_, l) => `L${l}`);
const axisTitle = (text: string) => ({ display: true, text });

/** Train loss as a line, validation loss as points joined up, against the step. */
export function lossChart(run: RunSnapshot): ChartConfiguration {
  const theme = chartTheme();
  return {
    type: 'line',
    data: {
      datasets: [
        { label: 'train', data: run.trainLoss.map((p) => ({ x: p.step, y: p.loss })), ...nthSeries(theme, 0), borderWidth: theme.lineWidth - 0.5, pointRadius: 0 },
        { label: 'valid', data: run.validLoss.map((p) => ({ x: p.step, y: p.loss })), ...nthSeries(theme, 1), pointRadius: 3 },
      ],
    },
    options: {
      parsing: false,
      scales: { x: { type: 'linear', title: axisTitle('step'), max: run.steps }, y: { title: axisTitle('loss (nats)') } },
      plugins: { legend: STROKE_LEGEND, tooltip: { mode: 'index', intersect: false } },
    },
  };
}

/** Configured against empirical (and learned) drop rate per layer; the tooltip adds how many steps skipped it. */
export function dropChart(run: RunSnapshot): ChartConfiguration {
  const theme = chartTheme();
  const [empirical, learned] = [nthSeries(theme, 0).backgroundColor, nthSeries(theme, 4).backgroundColor];
  const steps = run.trainLoss.length;
  return {
    type: 'bar',
    data: {
      labels: layerLabels(run.layers),
      datasets: [
        { label: 'configured p', data: run.drops.map((d) => d.configuredRate), backgroundColor: theme.muted },
        { label: 'empirical', data: run.drops.map((d) => d.empiricalRate), backgroundColor: empirical },
        ...(run.drops.some((d) => d.learnedRate !== undefined) ? [{ label: 'learned (valid mean)', data: run.drops.map((d) => d.learnedRate ?? 0), backgroundColor: learned }] : []),
      ],
    },
    options: {
      scales: { y: { min: 0, max: 1, title: axisTitle('drop rate') } },
      plugins: { legend: { ...STROKE_LEGEND, labels: { ...STROKE_LEGEND.labels, boxHeight: 8 } }, tooltip: { callbacks: { footer: (items) => `dropped ${run.drops[items[0].dataIndex].timesDropped} of ${steps} steps` } } },
    },
  };
}

export const METRIC_LABELS: Record<ImportanceMetric, string> = {
  'loss-increase': 'loss increase when removed',
  'block-influence': 'Block Influence 1 − cos(x_in, x_out)',
  'weight-l1': 'weight L1 norm',
  'grad-norm': 'mean gradient norm',
  'drop-rate': 'drop rate (lower = relied on more)',
  'learned-rate': 'learned drop rate (lower = relied on more)',
};

/** One importance metric per layer; kept layers in colour, the others muted. */
export function importanceChart(run: RunSnapshot, metric: ImportanceMetric, kept: ReadonlySet<number>): ChartConfiguration | undefined {
  if (!run.importance) return undefined;
  const theme = chartTheme();
  // Rate scores are negated so that higher means more important; plot the rate itself.
  const values = metric === 'drop-rate' || metric === 'learned-rate' ? importanceScores(run.importance.layers, metric).map((score) => -score) : importanceScores(run.importance.layers, metric);
  const bars: ChartConfiguration<'bar'>['data']['datasets'][number] & WithErrors = {
    label: METRIC_LABELS[metric],
    data: values,
    // Loss increases are measured on validation batches: ± their paired error.
    errors: metric === 'loss-increase' ? run.importance.layers.map((l) => decidingStdErr(l) ?? null) : undefined,
    // A first-order estimate (no exact removal within the budget) is a hollow bar in the same colour.
    ...hollowWhereEstimated(
      values.map((_, l) => (kept.has(l) ? nthSeries(theme, 0).backgroundColor : theme.muted)),
      run.importance.layers.map((l) => metric === 'loss-increase' && l.lossIncrease === undefined),
      theme.foreground,
    ),
  };
  return {
    type: 'bar',
    data: { labels: layerLabels(run.layers), datasets: [bars] },
    options: { plugins: { legend: { display: false } }, scales: { y: { title: axisTitle(METRIC_LABELS[metric]) } } },
  };
}

/** Bar colours where the estimated bars are outlines in their colour and the measured ones filled. */
function hollowWhereEstimated(colours: string[], estimated: boolean[], border: string) {
  return {
    backgroundColor: colours.map((colour, l) => (estimated[l] ? 'transparent' : colour)),
    borderColor: colours.map((colour, l) => (estimated[l] ? colour : border)),
    borderWidth: estimated.map((hollow) => (hollow ? 2 : 0)),
  };
}

/**
 * Each layer's attention and MLP removed alone: a split bar per layer, attention and MLP side by
 * side, each ± its paired error.
 */
export function partsChart(run: RunSnapshot): ChartConfiguration | undefined {
  if (!run.parts) return undefined;
  const theme = chartTheme();
  const bar = (label: string, n: number, values: number[], errors: number[]): ChartConfiguration<'bar'>['data']['datasets'][number] & WithErrors => ({
    label,
    data: values,
    errors,
    backgroundColor: nthSeries(theme, n).backgroundColor,
    borderColor: theme.foreground,
    borderWidth: 0,
  });
  const parts = run.parts;
  return {
    type: 'bar',
    data: {
      labels: layerLabels(parts.length),
      datasets: [
        bar('attention removed', 0, parts.map((p) => p.attention), parts.map((p) => p.attentionStdErr)),
        bar('MLP removed', 1, parts.map((p) => p.mlp), parts.map((p) => p.mlpStdErr)),
      ],
    },
    options: {
      scales: { y: { title: axisTitle('loss increase (nats)') } },
      plugins: { legend: { ...STROKE_LEGEND, labels: { ...STROKE_LEGEND.labels, boxHeight: 8 } }, tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${Number(item.raw).toFixed(4)} ± ${(item.datasetIndex === 0 ? parts[item.dataIndex].attentionStdErr : parts[item.dataIndex].mlpStdErr).toFixed(4)}` } } },
    },
  };
}

/** The loss ± its error, and the paired difference to the full model, marked when it is within noise. */
function rowErrorText(row: DepthRow, rows: DepthRow[]): string[] {
  const full = rows.find((r) => r.depth === Math.max(...rows.map((x) => x.depth)));
  if (!row.stdErr || !full || row === full) return row.stdErr ? [`loss ${row.loss.toFixed(4)} ± ${row.stdErr.toFixed(4)}`] : [];
  const delta = row.loss - full.loss;
  const deltaText = `Δ vs full ${delta >= 0 ? '+' : ''}${delta.toFixed(4)}${row.deltaStdErr ? ` ± ${row.deltaStdErr.toFixed(4)}` : ''}`;
  return [`loss ${row.loss.toFixed(4)} ± ${row.stdErr.toFixed(4)}`, `${deltaText}${withinNoise(delta, row.deltaStdErr) ? ' (within noise)' : ''}`];
}

/** Each strategy's sweep: a model analysis's every one, a run's own strategy alone. */
export function sweepsOf(run: RunSnapshot): Array<[string, DepthRow[]]> {
  if (!run.sweep) return [];
  return Object.entries(run.sweeps ?? { [run.sweep.strategy]: run.sweep.rows }).filter((entry): entry is [string, DepthRow[]] => entry[1] !== undefined);
}

/** The task whose accuracy a sweep chart draws: the first measured (the others are in its tooltip). */
export const chartedTask = (run: RunSnapshot) => run.sweep?.rows[0]?.tasks?.[0]?.name;

/** Each task's acc ± error at a row, for a tooltip. */
const taskTexts = (row: DepthRow) => (row.tasks ?? []).map((t) => `${t.name} acc ${percentText(t.acc, t.accStdErr)}%, acc_norm ${percentText(t.accNorm, t.accNormStdErr)}%`);

/**
 * Quality at every depth, and on the right axis a task's accuracy where one was measured (else the
 * latency, which the tooltip gives as tokens/s either way); for a Hugging Face model, one line per
 * strategy to compare them.
 */
export function sweepChart(run: RunSnapshot): ChartConfiguration | undefined {
  if (!run.sweep) return undefined;
  const theme = chartTheme();
  const byDepth = (rows: DepthRow[]) => [...rows].sort((a, b) => a.depth - b.depth);
  const rows = byDepth(run.sweep.rows);
  const lm = run.task === 'language-model';
  const quality = (r: DepthRow) => (lm ? r.perplexity! : r.accuracy! * 100);
  const compared = sweepsOf(run);
  // A perplexity's error from the loss's: d exp(L) = exp(L)·dL. Accuracy has no error measured.
  const qualityError = (r: DepthRow) => (lm && r.stdErr ? r.perplexity! * r.stdErr : null);
  const lines: Array<{ label: string; data: Array<number | null>; errors?: Array<number | null>; borderColor: string; backgroundColor: string; borderDash?: number[]; yAxisID: string; pointStyle?: 'triangle'; pointRadius?: number; showLine?: boolean }> = compared.map(([strategy, strategyRows]) => ({
    label: compared.length > 1 ? strategy : lm ? 'perplexity' : 'accuracy %',
    data: byDepth(strategyRows).map(quality),
    errors: byDepth(strategyRows).map(qualityError),
    ...strategySeries(theme, strategy),
    pointRadius: 2,
    yAxisID: 'quality',
  }));
  const layerLists = compared.map(([, strategyRows]) => byDepth(strategyRows).map((r) => r.layers));
  const rowsOf = compared.map(([, strategyRows]) => byDepth(strategyRows));
  // The newest heal at each depth, as a point beside the lines.
  const healedAt = new Map((run.healed ?? []).map((record) => [record.keep.length, record]));
  const healed: (typeof lines)[number] | false = healedAt.size > 0 && {
    label: 'healed',
    data: rows.map((r) => (healedAt.has(r.depth) ? quality({ ...r, ...healedAt.get(r.depth)!.after }) : null)),
    borderColor: theme.foreground,
    backgroundColor: theme.foreground,
    pointStyle: 'triangle',
    pointRadius: 6,
    showLine: false,
    yAxisID: 'quality',
  };
  if (healed) {
    lines.push(healed);
    layerLists.push(rows.map((r) => healedAt.get(r.depth)?.keep ?? []));
  }
  const task = chartedTask(run);
  // A task's accuracy in each strategy's colour, as diamonds on a thin dotted line: the other axis, the other way of judging.
  const accuracy = task
    ? compared.map(([strategy, strategyRows]) => {
        const scores = byDepth(strategyRows).map((r) => r.tasks?.find((t) => t.name === task));
        return {
          label: compared.length > 1 ? `${strategy} acc` : `${task} acc %`,
          data: scores.map((s) => (s ? s.acc * 100 : null)),
          errors: scores.map((s) => (s ? s.accStdErr * 100 : null)),
          ...strategySeries(theme, strategy),
          borderDash: [1, 3],
          borderWidth: 1.5,
          pointStyle: 'rectRot' as const,
          pointRadius: 3,
          yAxisID: 'accuracy',
        };
      })
    : [];
  // Latency in the theme's muted grey, thin and dotted: a different kind of quantity from the lines beside it.
  const latency = { label: 'ms / batch', data: rows.map((r) => r.msPerBatch), borderColor: theme.muted, backgroundColor: theme.muted, borderDash: [2, 2], borderWidth: 1.5, pointRadius: 0, yAxisID: 'latency' };
  // The axis spans every error bar: differences inside one standard error then look as small as they are.
  const reach = accuracy.flatMap((line) => line.data.flatMap((value, i) => (value === null ? [] : [value - (line.errors[i] ?? 0), value + (line.errors[i] ?? 0)])));
  const right = task
    ? { accuracy: { position: 'right' as const, title: axisTitle(`${task} acc %`), grid: { drawOnChartArea: false }, min: Math.max(0, Math.floor(Math.min(...reach))), max: Math.min(100, Math.ceil(Math.max(...reach))) } }
    : { latency: { position: 'right' as const, title: axisTitle('ms / batch'), grid: { drawOnChartArea: false } } };
  return {
    type: 'line',
    data: {
      labels: rows.map((r) => String(r.depth)),
      datasets: [...lines, ...(task ? accuracy : [latency])],
    },
    options: {
      scales: {
        x: { title: axisTitle(compared.length > 1 ? 'layers kept' : `layers kept (${run.sweep.strategy})`) },
        quality: { position: 'left', title: axisTitle(lm ? 'valid perplexity' : 'valid accuracy %') },
        ...right,
      },
      plugins: {
        legend: STROKE_LEGEND,
        tooltip: {
          mode: 'index',
          intersect: false,
          callbacks: {
            afterLabel: (item) => {
              if (item.datasetIndex >= lines.length) return '';
              const row = rowsOf[item.datasetIndex]?.[item.dataIndex];
              const cost = row?.parameters !== undefined && row.weightBytes !== undefined ? [`${countText(row.parameters)} parameters, ${bytesText(row.weightBytes)}${row.tokensPerSecond ? `, ${Math.round(row.tokensPerSecond).toLocaleString('en-US')} tok/s` : ''}`] : [];
              return [`layers ${layerLists[item.datasetIndex][item.dataIndex].join(',')}`, ...(row ? [...rowErrorText(row, rowsOf[item.datasetIndex]), ...taskTexts(row)] : []), ...cost];
            },
          },
        },
      },
    },
  };
}

/**
 * `depthlab compare` for one strategy: loss against depth, a line per N-layer model (its own colour
 * and dash), the small model from scratch as one marker. One strategy at a time keeps the side
 * bar's chart to two or three lines; the page offers the others.
 */
export function compareChart(comparison: Comparison, strategy: string): ChartConfiguration {
  const theme = chartTheme();
  const depths = Array.from({ length: comparison.layers }, (_, i) => i + 1);
  const deep = comparison.models.filter((m) => m.sweeps?.[strategy]);
  const sweeps = deep.map((model) => [...model.sweeps![strategy]!].sort((a, b) => b.depth - a.depth));
  const lines = deep.map((model, m) => ({
    type: 'line' as const,
    label: model.label,
    data: depths.map((depth) => sweeps[m].find((r) => r.depth === depth)?.loss ?? null),
    errors: depths.map((depth) => sweeps[m].find((r) => r.depth === depth)?.stdErr ?? null),
    ...nthSeries(theme, m),
    pointRadius: 2,
  }));
  const scratch = comparison.models.find((m) => m.key === 'scratch');
  // A line dataset with no line: one marker at the small model's depth.
  const point = scratch && {
    type: 'line' as const,
    showLine: false,
    label: scratch.label,
    data: depths.map((depth) => (depth === scratch.layers ? scratch.full.loss : null)),
    errors: depths.map((depth) => (depth === scratch.layers ? (scratch.full.stdErr ?? null) : null)),
    borderColor: theme.foreground,
    backgroundColor: theme.foreground,
    pointRadius: 6,
    pointStyle: 'rectRot' as const,
  };
  return {
    type: 'line',
    data: { labels: depths.map(String), datasets: [...lines, ...(point ? [point] : [])] as ChartConfiguration['data']['datasets'] },
    options: {
      scales: { x: { title: axisTitle(`layers kept (${strategy})`) }, y: { title: axisTitle('validation loss') } },
      plugins: {
        legend: STROKE_LEGEND,
        tooltip: {
          callbacks: {
            afterLabel: (item) => {
              const rows = sweeps[item.datasetIndex];
              const row = rows?.find((r) => r.depth === item.dataIndex + 1);
              return rows && row ? rowErrorText(row, rows) : '';
            },
          },
        },
      },
    },
  };
}

/** The strategies a comparison swept, in its own order. */
export function comparedStrategies(comparison: Comparison): string[] {
  return [...new Set(comparison.models.flatMap((m) => Object.keys(m.sweeps ?? {})))];
}
