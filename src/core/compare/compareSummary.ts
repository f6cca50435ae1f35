import type { Evaluation } from '../evaluate/evaluate';
import type { DepthRow } from '../evaluate/depthSweep';
import type { CompareVariant } from './compareVariants';
import { withinNoise } from '../evaluate/standardError';

export interface ComparedModel extends CompareVariant {
  runId: string;
  /** Every layer of this model. */
  full: Evaluation;
  /** N-layer models: every depth with every strategy. */
  sweeps?: Partial<Record<string, DepthRow[]>>;
}

/** A comparison as `depthlab compare` saves it. */
export interface Comparison {
  configFile: string;
  layers: number;
  target: number;
  recommendedRate: number;
  steps: number;
  models: ComparedModel[];
  summary: string[];
}

/** What the numbers say, in sentences: the cost of pruning with and without LayerDrop, and how a small model from scratch compares. */
export function compareSummary(models: ComparedModel[], target: number, strategy = 'every-other'): string[] {
  const find = (key: CompareVariant['key']) => models.find((m) => m.key === key);
  const atTarget = (m?: ComparedModel) => m?.sweeps?.[strategy]?.find((row) => row.depth === target);
  const [dropped, plain, scratch] = [find('layerdrop'), find('no-layerdrop'), find('scratch')];
  const pruned = atTarget(dropped);
  const prunedPlain = atTarget(plain);
  if (!dropped || !plain || !scratch || !pruned || !prunedPlain) return [];
  const amount = (x: number, stdErr?: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}${stdErr ? ` ± ${stdErr.toFixed(3)}` : ''} nats`;
  const nats = (x: number, stdErr?: number) => `${amount(x, stdErr)}${withinNoise(x, stdErr) ? ' (within noise)' : ''}`;
  const lines = [
    `Pruned to ${target} of ${dropped.layers} layers (${strategy}, no finetuning): the LayerDrop model ${nats(pruned.loss - dropped.full.loss, pruned.deltaStdErr)} against its full depth, the model trained without LayerDrop ${nats(prunedPlain.loss - plain.full.loss, prunedPlain.deltaStdErr)}.`,
    `At ${target} layers: LayerDrop model pruned ${pruned.loss.toFixed(3)}, no-LayerDrop model pruned ${prunedPlain.loss.toFixed(3)}, ${target} layers from scratch ${scratch.full.loss.toFixed(3)} (validation loss).`,
  ];
  const gap = pruned.loss - scratch.full.loss;
  // Different models on the same text, not paired here: the errors combine.
  const gapError = Math.hypot(pruned.stdErr ?? 0, scratch.full.stdErr ?? 0);
  lines.push(
    withinNoise(gap, gapError)
      ? `At this step budget the pruned LayerDrop model and ${target} layers trained from scratch are within noise of each other (${amount(gap, gapError)}).`
      : gap > 0
      ? `At this step budget the ${target}-layer model trained from scratch beats the pruned LayerDrop model by ${gap.toFixed(3)} nats; the paper's "as good as training from scratch" came with far longer training.`
      : `The pruned LayerDrop model matches or beats ${target} layers trained from scratch, by ${(-gap).toFixed(3)} nats, with no extra training.`,
  );
  const own = find('config-rate');
  const ownPruned = atTarget(own);
  if (own && ownPruned) {
    // The trade-off a milder rate makes, against the model trained without LayerDrop (different models: errors combine).
    const full = own.full.loss - plain.full.loss;
    const cut = ownPruned.loss - prunedPlain.loss;
    const cutError = ownPruned.stdErr && prunedPlain.stdErr ? Math.hypot(ownPruned.stdErr, prunedPlain.stdErr) : undefined;
    const fullError = own.full.stdErr && plain.full.stdErr ? Math.hypot(own.full.stdErr, plain.full.stdErr) : undefined;
    const pruned = withinNoise(cut, cutError) ? 'level with it once pruned' : cut < 0 ? 'ahead of it once pruned' : 'still behind it when pruned';
    lines.push(`LayerDrop ${own.rate}, against no LayerDrop: ${nats(full, fullError)} at full depth, ${nats(cut, cutError)} pruned to ${target}: ${pruned}.`);
  }
  return lines;
}
