import type { EmitScriptResult } from '../core/jobs/emitScriptJob';
import type { ExportJobResult } from '../core/jobs/exportJob';
import type { ExportModelResult } from '../core/jobs/exportModelJob';
import type { HealJobResult } from '../core/jobs/healJob';
import type { PruneJobResult } from '../core/jobs/pruneJob';
import type { CheckPlanResult } from '../core/jobs/checkPlanJob';
import { PLAN_FILE } from '../core/export/prunePlan';
import * as path from 'node:path';
import { fixed, interopLines } from '../core/report/analysisText';
import { errorText } from '../core/report/depthTable';
import { qualityText } from '../core/report/eventText';
import { marginText } from '../core/prune/choiceMargin';
import { withinNoise } from '../core/evaluate/standardError';

/** The human text of the other commands' results; --json prints the result object instead. */

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

export function exportModelText(e: ExportModelResult): string {
  const quality = (x: { loss: number; perplexity?: number }) => `loss ${fixed(x.loss)}, perplexity ${x.perplexity!.toFixed(3)}`;
  return [
    `exported ${e.keep.length} of ${e.layers} layers (${e.keep.join(',')}, chosen by ${e.chosenBy}) renumbered 0..${e.keep.length - 1}:`,
    `  ${e.out}: ${e.files.join(', ')}`,
    `before: ${quality(e.before)}`,
    `after:  ${quality(e.after)}`,
    ...e.leftOut.map((why) => `left out: ${why}`),
    `plan: ${path.join(e.out, PLAN_FILE)} (in CI: depthlab check ${e.out} --max-increase 0.05)`,
  ].join('\n');
}

export function checkText(c: CheckPlanResult): string {
  const sign = c.increase >= 0 ? '+' : '−';
  const change = `loss ${fixed(c.now.loss)} against the original's ${fixed(c.before)}: ${sign}${fixed(Math.abs(c.increase))} nats`;
  return c.within ? `within: ${change} ≤ ${c.maxIncrease} (layers ${c.keep.join(',')})` : `over: ${change} > ${c.maxIncrease} (layers ${c.keep.join(',')})`;
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

/** What --emit-script wrote, and the two steps that follow. */
export function emittedText({ out, requests, files, plan }: EmitScriptResult): string {
  return [
    `wrote ${out}: ${files.join(', ')}`,
    `${requests} requests: ${plan.request.tokens} tokens of text, ${plan.layers} layers, strategies ${plan.request.strategies?.join(', ')}`,
    `1. where the model fits: MODEL=/path/to/${path.basename(plan.folder)} sh ${path.join(out, 'run.sh')} (or torchrun, or sbatch ${path.join(out, 'slurm.sbatch')})`,
    `2. here: depthlab import ${out}`,
  ].join('\n');
}
