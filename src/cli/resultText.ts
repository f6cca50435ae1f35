import type { ExportJobResult } from '../core/jobs/exportJob';
import type { PruneJobResult } from '../core/jobs/pruneJob';
import { depthTable } from '../core/report/depthTable';
import { qualityText } from '../core/report/eventText';
import type { Analysis } from '../core/run/runFiles';

/** The human text of each command's result; --json prints the result object instead. */

const interopLines = (fairseq: { flag: string; modelOverrides: string }, huggingFace: Record<string, number>, fairseqLabel = 'fairseq') => [
  `${fairseqLabel}: ${fairseq.flag}`,
  `${' '.repeat(fairseqLabel.length)}  ${fairseq.modelOverrides}`,
  `Hugging Face: ${JSON.stringify(huggingFace)}`,
];

export function analysisText(a: Analysis): string {
  return [
    '',
    depthTable(a.task, a.sweep),
    '',
    `layers by ${a.strategy}${a.strategy === 'importance' ? ` (${a.metric})` : ''} for ${a.target} of ${a.layers}: ${a.keep.join(',')}`,
    `recommended LayerDrop rate for this target: p* = 1 - ${a.target}/${a.layers} = ${a.recommendedRate.toFixed(2)} (this run trained with ${a.trainedRate})`,
    ...interopLines(a.fairseq, a.huggingFace),
  ].join('\n');
}

export function pruneText(p: PruneJobResult, configFile: string): string {
  return [
    `keep ${p.keep.length} of ${p.layers}: ${p.keep.join(',')}`,
    `full model: loss ${p.full.loss.toFixed(4)} ${qualityText(p.full)}`,
    `pruned:     loss ${p.pruned.loss.toFixed(4)} ${qualityText(p.pruned)} (Δ ${(p.pruned.loss - p.full.loss).toFixed(4)})`,
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
    `Hugging Face: ${JSON.stringify(e.huggingFace)}`,
  ].join('\n');
}
