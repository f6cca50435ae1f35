import type { AnalyzeModelResult } from '../core/jobs/analyzeModelJob';
import type { CompareJobResult } from '../core/jobs/compareJob';
import type { ExportJobResult } from '../core/jobs/exportJob';
import type { HealJobResult } from '../core/jobs/healJob';
import type { ExportModelResult } from '../core/jobs/exportModelJob';
import type { PruneJobResult } from '../core/jobs/pruneJob';
import { depthTable } from '../core/report/depthTable';
import { qualityText } from '../core/report/eventText';
import type { Analysis, HealRecord } from '../core/run/runFiles';
import type { Evaluation } from '../core/evaluate/evaluate';
import type { DepthRow } from '../core/evaluate/depthSweep';
import { NOISE_ERRORS, withinNoise } from '../core/evaluate/standardError';
import { marginText } from '../core/prune/choiceMargin';
import { precisionText } from '../core/report/precisionText';

/** The human text of each command's result; --json prints the result object instead. */

const errorText = (value: number, stdErr?: number) => `${value.toFixed(4)}${stdErr ? ` ± ${stdErr.toFixed(4)}` : ''}`;

const interopLines = (fairseq: { flag: string; modelOverrides: string }, huggingFace: Record<string, number>, fairseqLabel = 'fairseq') => [
  `${fairseqLabel}: ${fairseq.flag}`,
  `${' '.repeat(fairseqLabel.length)}  ${fairseq.modelOverrides}`,
  `Hugging Face: ${JSON.stringify(huggingFace)}`,
];

export function analysisText(a: Analysis, healed: readonly HealRecord[] = []): string {
  return [
    '',
    depthTable(a.task, a.sweep, healed),
    '',
    `layers by ${a.strategy}${a.strategy === 'importance' ? ` (${a.metric})` : ''} for ${a.target} of ${a.layers}: ${a.keep.join(',')}`,
    ...(a.margin ? [`  ${marginText(a.margin)}`] : []),
    `recommended LayerDrop rate for this target: p* = 1 - ${a.target}/${a.layers} = ${a.recommendedRate.toFixed(2)} (this run trained with ${a.trainedRate})`,
    ...interopLines(a.fairseq, a.huggingFace),
  ].join('\n');
}

export function pruneText(p: PruneJobResult, configFile: string): string {
  return [
    `keep ${p.keep.length} of ${p.layers}: ${p.keep.join(',')}`,
    ...(p.margin ? [`  ${marginText(p.margin)}`] : []),
    `full model: loss ${errorText(p.full.loss, p.full.stdErr)} ${qualityText(p.full)}`,
    `pruned:     loss ${errorText(p.pruned.loss, p.pruned.stdErr)} ${qualityText(p.pruned)} (Δ ${errorText(p.pruned.loss - p.full.loss, p.pruned.deltaStdErr)}${withinNoise(p.pruned.loss - p.full.loss, p.pruned.deltaStdErr) ? ', within noise' : ''})`,
    `recommended LayerDrop rate for this depth: p* = ${p.recommendedRate.toFixed(2)} (this run trained with ${p.trainedRate})`,
    ...interopLines(p.fairseq, p.huggingFace),
    p.written ? `wrote layersToKeep [${p.keep.join(', ')}] to ${configFile}` : `add --write to set layersToKeep in ${configFile}`,
  ].join('\n');
}

export function exportText(e: ExportJobResult): string {
  return [
    `exported ${e.keep.length} of ${e.layers} layers (${e.keep.join(',')}) renumbered 0..${e.keep.length - 1}:`,
    `  ${e.checkpoint}`,
    `  ${e.config}`,
    `fairseq (on the unpruned model): ${e.fairseq.flag}`,
    e.huggingFaceFolder
      ? `Hugging Face: GPT2LMHeadModel.from_pretrained("${e.huggingFaceFolder}")`
      : `Hugging Face (a fragment for your own config.json): ${JSON.stringify(e.huggingFace)}`,
  ].join('\n');
}

const fixed = (value: number, digits = 4) => value.toFixed(digits);

export function modelAnalysisText({ analysis: a, file }: AnalyzeModelResult): string {
  const increases = a.statistics.map((s) => errorText(s.lossIncrease, s.lossIncreaseStdErr));
  const width = Math.max('loss increase'.length, ...increases.map((text) => text.length));
  const perLayer = [
    `layer  ${'loss increase'.padStart(width)}  block influence  angular (to next)  weight L1`,
    ...a.statistics.map((s, l) =>
      [String(s.layer).padStart(5), increases[l].padStart(width), fixed(s.blockInfluence).padStart(15), fixed(a.angularDistance[0][s.layer]).padStart(17), s.weightL1.toFixed(1).padStart(9)].join('  '),
    ),
  ];
  const sweeps = Object.entries(a.sweeps).flatMap(([strategy, rows]) => ['', `${strategy}:`, depthTable('language-model', rows)]);
  return [
    `${a.modelType}, ${a.layers} layers, ${(a.parameters / 1e6).toFixed(2)}M parameters; ${a.data.tokens} tokens of ${a.data.source}`,
    `full model: loss ${fixed(a.fullLoss)}, ${a.objective === 'masked-lm' ? 'masked-token ' : ''}perplexity ${a.fullPerplexity.toFixed(3)}`,
    '',
    ...perLayer,
    precisionText(a),
    ...sweeps,
    ...(a.skipped ? ['', 'left out to stay within the time budget (a larger --budget, or --tokens, runs them):', ...a.skipped.map((why) => `  ${why}`)] : []),
    '',
    `layers by ${a.strategy}${a.strategy === 'importance' ? ` (${a.metric})` : ''} for ${a.target} of ${a.layers}: ${a.keep.join(',')}`,
    ...(a.margin ? [`  ${marginText(a.margin)}`] : []),
    `Hugging Face: {"${a.layerCountKey}": ${a.keep.length}} (depthlab export ${a.folder} --layers ${a.keep.join(',')})`,
    `saved: ${file}`,
  ].join('\n');
}

export function exportModelText(e: ExportModelResult): string {
  const quality = (x: { loss: number; perplexity?: number }) => `loss ${fixed(x.loss)}, perplexity ${x.perplexity!.toFixed(3)}`;
  return [
    `exported ${e.keep.length} of ${e.layers} layers (${e.keep.join(',')}, chosen by ${e.chosenBy}) renumbered 0..${e.keep.length - 1}:`,
    `  ${e.out}: ${e.files.join(', ')}`,
    `before: ${quality(e.before)}`,
    `after:  ${quality(e.after)}`,
  ].join('\n');
}

export function compareText(c: CompareJobResult): string {
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
  return [`${c.models.length} models, ${c.steps} steps each, same data and seed; target ${c.target} of ${c.layers} (p* = ${c.recommendedRate.toFixed(2)})`, ...tables, '', legend, '', ...c.summary, '', `saved: ${c.file}`].join('\n');
}

export function healText(h: HealJobResult): string {
  const delta = h.after.loss - h.before.loss;
  return [
    `healed layers ${h.keep.join(',')} for ${h.steps} steps (${h.part === 'all' ? 'all their weights' : 'feed-forward only'}):`,
    `  before: loss ${h.before.loss.toFixed(4)} ${qualityText(h.before)}`,
    `  after:  loss ${h.after.loss.toFixed(4)} ${qualityText(h.after)} (${delta >= 0 ? '+' : ''}${delta.toFixed(4)})`,
    `  ${h.checkpoint}`,
  ].join('\n');
}
