import * as path from 'node:path';
import type { Evaluation } from '../evaluate/evaluate';
import { recommendedRate } from '../prune/recommendedRate';
import type { PretrainedModel } from '../huggingface/pretrainedModel';
import { keptSize, modelSize } from '../evaluate/cutCost';
import { HEAL } from './prunedModelHandoffs';
import { bytesText, countText } from '../report/depthTable';

export interface CardFacts {
  source: string;
  keep: number[];
  chosenBy: string;
  before: Evaluation;
  after: Evaluation;
  data: { source: string; tokens: number; window: number };
  /** Hand-offs left out, each with why. */
  leftOut?: string[];
  /** What the cut buys, measured while evaluating: parameters, weight bytes and forward tokens/s, before and after. */
  cost?: { before: CutCost; after: CutCost; backend: string };
}

interface CutCost {
  parameters?: number;
  weightBytes?: number;
  tokensPerSecond?: number;
}

/** The pruned folder's README.md: which layers were kept, how they were chosen, and what that cost on the user's text. */
export function modelCard(model: PretrainedModel, facts: CardFacts): string {
  const { keep, before, after, data } = facts;
  const auto = model.objective === 'masked-lm' ? 'AutoModelForMaskedLM' : 'AutoModelForCausalLM';
  const measure = model.objective === 'masked-lm' ? 'masked-token perplexity (15% of tokens masked, seeded)' : 'perplexity';
  const notes = model.family.cardNotes(model.config).map((note) => `\n${note}\n`).join('');
  return `# ${path.basename(facts.source)}, ${keep.length} of ${model.layers} layers

Pruned by DepthLab from \`${facts.source}\` (${model.config.modelType}) without finetuning.

- Kept layers (original indices): ${keep.join(', ')}, renumbered 0…${keep.length - 1}; \`${model.config.layerCountKey}\` = ${keep.length}.
- Chosen by: ${facts.chosenBy}.
- Measured on ${data.tokens} tokens of ${data.source} in ${data.window}-token windows, ${measure}:
  before ${before.perplexity?.toFixed(3)} (loss ${before.loss.toFixed(4)}), after ${after.perplexity?.toFixed(3)} (loss ${after.loss.toFixed(4)}).
${costLine(facts)}${notes}
\`\`\`python
from transformers import ${auto}
model = ${auto}.from_pretrained("path/to/this/folder")
\`\`\`

To train the full model at scale so that this depth holds up, \`training-handoff/\` has LayerDrop at the
paper's rate for it, p* = 1 − ${keep.length}/${model.layers} = ${recommendedRate(model.layers, keep.length).toFixed(2)}: fairseq flags, a torchtune \`layer_dropout\` section and a
DeepSpeed Progressive Layer Dropping snippet, each saying what it needs. LayerDrop added only
when finetuning does not make a model robust to pruning (Fan et al., 2019).

## Elsewhere

${handoffSection(model, facts)}
\`depthlab-plan.json\` records the source model, the text and both measurements; in CI,
\`depthlab check path/to/this/folder --max-increase 0.05\` measures this folder on the same text again
and exits 1 when its loss rose more than 0.05 nats over the original's (2 when the model or the
text changed since).
`;
}

/** "- What the cut buys: parameters 1.24B → 0.97B (−22%), …" from the export's own evaluation; empty without it. */
function costLine({ cost }: CardFacts): string {
  const { before, after } = cost ?? {};
  if (!cost || before?.parameters === undefined || after?.parameters === undefined || before.weightBytes === undefined || after.weightBytes === undefined) return '';
  const share = (a: number, b: number) => `${b <= a ? '−' : '+'}${Math.abs(Math.round((100 * (b - a)) / a))}%`;
  const speed = before.tokensPerSecond && after.tokensPerSecond
    ? `; a forward pass ran at ${Math.round(before.tokensPerSecond).toLocaleString('en-US')} → ${Math.round(after.tokensPerSecond).toLocaleString('en-US')} tokens/s (${(after.tokensPerSecond / before.tokensPerSecond).toFixed(2)}×) on this machine's ${cost.backend} backend while DepthLab measured it`
    : '';
  return `- What the cut buys: parameters ${countText(before.parameters)} → ${countText(after.parameters)} (${share(before.parameters, after.parameters)}), weight memory ${bytesText(before.weightBytes)} → ${bytesText(after.weightBytes)}${speed}.
`;
}

/** Sustained bf16 throughput the heal estimate assumes: an A100 at about a third of its peak. */
const ASSUMED_GPU_FLOPS = 100e12;

function handoffSection(model: PretrainedModel, facts: CardFacts): string {
  const kept = keptSize(modelSize(model), facts.keep).parameters;
  // LoRA: forward 2·P·T, backward through the activations about 2·P·T more; the frozen weights get no gradients.
  const tokens = HEAL.steps * HEAL.batchSize * HEAL.window;
  const minutes = (4 * kept * tokens) / ASSUMED_GPU_FLOPS / 60;
  const lines = [
    ...(model.objective === 'causal-lm'
      ? [
          '- `llama.cpp.txt`: the `llama-quantize --prune-layers` command for the same layers, from a GGUF of the original.',
          '- `mergekit.yaml`: the same cut as a mergekit passthrough merge of the original, one slice per run of kept layers.',
        ]
      : []),
    `- \`heal/\`: a PEFT LoRA config and \`heal.py\`, a transformers Trainer script that heals this folder on your text (a GPU script). Its default ${HEAL.steps.toLocaleString('en-US')} steps of ${HEAL.batchSize} × ${HEAL.window.toLocaleString('en-US')} tokens cost about ${(4 * kept * tokens).toExponential(1)} FLOPs: about ${minutes < 1 ? 'a minute' : `${Math.ceil(minutes)} minutes`} at a sustained 100 TFLOP/s (an A100 at a third of its peak); an estimate, not a measurement.`,
    ...(facts.leftOut ?? []).map((why) => `- Left out: ${why}.`),
  ];
  return lines.join('\n');
}
