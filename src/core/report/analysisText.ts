import type { Comparison } from '../compare/compareSummary';
import type { DepthRow } from '../evaluate/depthSweep';
import type { Evaluation } from '../evaluate/evaluate';
import { NOISE_ERRORS, withinNoise } from '../evaluate/standardError';
import type { ModelAnalysis } from '../run/modelAnalysisFile';
import { marginText } from '../prune/choiceMargin';
import type { Analysis, HealRecord, MeasuredTask } from '../run/runFiles';
import { depthTable, errorText } from './depthTable';
import { taskLines } from './taskText';
import { HUGGING_FACE_PARTS_NOTE, ownRunExportNote, sublayerText } from './sublayerText';
import { breakLines } from '../evaluate/breakDepth';
import { precisionText } from './precisionText';
import { recommendedRate } from '../prune/recommendedRate';

/** The text of an analysis, a model analysis and a comparison: what the CLI prints and the report's tables. */


/** The fairseq flags and the Hugging Face config fragment for a choice of layers. */
export const interopLines = (fairseq: { flag: string; modelOverrides: string }, huggingFace: Record<string, number>, fairseqLabel = 'fairseq') => [
  `${fairseqLabel}: ${fairseq.flag}`,
  `${' '.repeat(fairseqLabel.length)}  ${fairseq.modelOverrides}`,
  `Hugging Face: ${JSON.stringify(huggingFace)}`,
];

export const fixed = (value: number, digits = 4) => value.toFixed(digits);

/** Where the sweep breaks, as a line under its table; nothing for a sweep without step errors. */
const withBreak = (strategy: string, rows: readonly DepthRow[]) => {
  const lines = breakLines(strategy, rows);
  return lines.length ? ['', ...lines] : [];
};

export function analysisText(a: Analysis, healed: readonly HealRecord[] = []): string {
  return [
    '',
    depthTable(a.task, a.sweep, healed),
    ...withBreak(a.strategy, a.sweep),
    ...(a.parts && a.sublayerSearch ? sublayerText(a.parts, a.sublayerSearch, ownRunExportNote(a.sublayerSearch, a.layers)) : []),
    '',
    `layers by ${a.strategy}${a.strategy === 'importance' ? ` (${a.metric})` : ''} for ${a.target} of ${a.layers}: ${a.keep.join(',')}`,
    ...(a.margin ? [`  ${marginText(a.margin)}`] : []),
    ...indented(taskLines(a.sweep, a.keep, truncatedOf(a.tasks))),
    `recommended LayerDrop rate for this target: p* = 1 - ${a.target}/${a.layers} = ${a.recommendedRate.toFixed(2)} (this run trained with ${a.trainedRate})`,
    ...interopLines(a.fairseq, a.huggingFace),
  ].join('\n');
}

export function modelAnalysisText({ analysis: a, file, report }: { analysis: ModelAnalysis; file: string; report?: string }): string {
  // Exact loss increases and first-order estimates in columns of their own, never one for the other.
  const columns = [
    { title: 'loss increase', cells: a.statistics.map((s) => (s.lossIncrease === undefined ? '—' : errorText(s.lossIncrease, s.lossIncreaseStdErr))) },
    ...(a.statistics.some((s) => s.lossIncreaseEstimate !== undefined) ? [{ title: '~ first-order estimate', cells: a.statistics.map((s) => (s.lossIncreaseEstimate === undefined ? '—' : `~${errorText(s.lossIncreaseEstimate, s.lossIncreaseEstimateStdErr)}`)) }] : []),
  ].map(({ title, cells }) => ({ title, cells, width: Math.max(title.length, ...cells.map((text) => text.length)) }));
  const perLayer = [
    `layer  ${columns.map(({ title, width }) => title.padStart(width)).join('  ')}  block influence  angular (to next)  weight L1`,
    ...a.statistics.map((s, l) =>
      [String(s.layer).padStart(5), ...columns.map(({ cells, width }) => cells[l].padStart(width)), fixed(s.blockInfluence).padStart(15), fixed(a.angularDistance[0][s.layer]).padStart(17), s.weightL1.toFixed(1).padStart(9)].join('  '),
    ),
  ];
  const sweeps = Object.entries(a.sweeps).flatMap(([strategy, rows]) => ['', `${strategy}:`, depthTable('language-model', rows), ...withBreak(strategy, rows)]);
  return [
    `${a.modelType}, ${a.layers} layers, ${(a.parameters / 1e6).toFixed(2)}M parameters; ${a.data.tokens} tokens of ${a.data.source}`,
    `full model: loss ${fixed(a.fullLoss)}, ${a.objective === 'masked-lm' ? 'masked-token ' : ''}perplexity ${a.fullPerplexity.toFixed(3)}`,
    '',
    ...perLayer,
    precisionText(a),
    ...sweeps,
    ...(a.parts && a.sublayerSearch ? sublayerText(a.parts, a.sublayerSearch, HUGGING_FACE_PARTS_NOTE) : []),
    ...(a.skipped ? ['', 'left out to stay within the time budget (a larger --budget, or --tokens, runs them):', ...a.skipped.map((why) => `  ${why}`)] : []),
    '',
    `layers by ${a.strategy}${a.strategy === 'importance' ? ` (${a.metric})` : ''} for ${a.target} of ${a.layers}: ${a.keep.join(',')}`,
    ...(a.margin ? [`  ${marginText(a.margin)}`] : []),
    ...indented(taskLines(a.sweeps[a.strategy], a.keep, truncatedOf(a.tasks))),
    ...(a.layerdrop ? [`trained with LayerDrop ${a.layerdrop} (config.json "layerdrop"); the paper's rate for this target: p* = 1 - ${a.target}/${a.layers} = ${recommendedRate(a.layers, a.target).toFixed(2)}`] : []),
    `Hugging Face: {"${a.layerCountKey}": ${a.keep.length}} (depthlab export ${a.folder} --layers ${a.keep.join(',')})`,
    `saved: ${file}`,
    ...(report ? [`report: ${report}`] : []),
  ].join('\n');
}

export function compareText(c: Comparison & { file: string; report?: string }): string {
  const deep = c.models.filter((m) => m.sweeps);
  const scratch = c.models.find((m) => m.key === 'scratch');
  const strategies = Object.keys(deep[0]?.sweeps ?? {});
  const lossWithError = (e: Evaluation) => errorText(e.loss, e.stdErr);
  // ≈: within noise of the same model's full depth (the paired error; the first row is the full model).
  const cell = (rows: DepthRow[], i: number) => `${lossWithError(rows[i])}${i > 0 && withinNoise(rows[i].loss - rows[0].loss, rows[i].deltaStdErr) ? ' ≈' : '  '}`;
  const width = Math.max(...deep.map((m) => m.label.length), ...deep.flatMap((m) => Object.values(m.sweeps ?? {}).flatMap((rows) => rows!.map((_, i) => cell(rows!, i).length))));
  const tables = strategies.flatMap((strategy) => [
    '',
    `${strategy}: validation loss at every depth, no finetuning`,
    `depth  ${deep.map((m) => m.label.padStart(width)).join('  ')}`,
    ...deep[0].sweeps![strategy]!.map((row, i) => {
      const cells = deep.map((m) => cell(m.sweeps![strategy]!, i).padStart(width));
      const mark = row.depth === c.target && scratch ? `   ← ${scratch.label}: ${lossWithError(scratch.full)}` : '';
      return `${String(row.depth).padStart(5)}  ${cells.join('  ')}${mark}`.trimEnd();
    }),
  ]);
  const legend = `± one standard error over the validation batches; ≈ within noise of the same model at full depth (|Δ| ≤ ${NOISE_ERRORS} paired errors).`;
  return [`${c.models.length} models, ${c.steps} steps each, same data and seed; target ${c.target} of ${c.layers} (p* = ${c.recommendedRate.toFixed(2)})`, ...tables, '', legend, '', ...c.summary, '', `saved: ${c.file}`, ...(c.report ? [`report: ${c.report}`] : [])].join('\n');
}


const indented = (lines: string[]) => lines.map((line) => `  ${line}`);
const truncatedOf = (tasks: readonly MeasuredTask[] = []) => Object.fromEntries(tasks.map((task) => [task.name, task.truncated]));
