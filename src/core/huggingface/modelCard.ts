import * as path from 'node:path';
import type { Evaluation } from '../evaluate/evaluate';
import { recommendedRate } from '../prune/recommendedRate';
import type { PretrainedModel } from './pretrainedModel';

export interface CardFacts {
  source: string;
  keep: number[];
  chosenBy: string;
  before: Evaluation;
  after: Evaluation;
  data: { source: string; tokens: number; window: number };
}

/** The pruned folder's README.md: which layers were kept, how they were chosen, and what that cost on the user's text. */
export function modelCard(model: PretrainedModel, facts: CardFacts): string {
  const { keep, before, after, data } = facts;
  const auto = model.objective === 'masked-lm' ? 'AutoModelForMaskedLM' : 'AutoModelForCausalLM';
  const measure = model.objective === 'masked-lm' ? 'masked-token perplexity (15% of tokens masked, seeded)' : 'perplexity';
  const scale = model.config.family === 'gpt2' && model.config.raw.scale_attn_by_inverse_layer_idx
    ? '\n`scale_attn_by_inverse_layer_idx` divides layer i\'s attention scores by i + 1: each kept layer\'s query weights were rescaled by (new index + 1)/(old index + 1), so the renumbered model computes what the sub-network computed.\n'
    : '';
  return `# ${path.basename(facts.source)}, ${keep.length} of ${model.layers} layers

Pruned by DepthLab from \`${facts.source}\` (${model.config.modelType}) without finetuning.

- Kept layers (original indices): ${keep.join(', ')}, renumbered 0…${keep.length - 1}; \`${model.config.layerCountKey}\` = ${keep.length}.
- Chosen by: ${facts.chosenBy}.
- Measured on ${data.tokens} tokens of ${data.source} in ${data.window}-token windows, ${measure}:
  before ${before.perplexity?.toFixed(3)} (loss ${before.loss.toFixed(4)}), after ${after.perplexity?.toFixed(3)} (loss ${after.loss.toFixed(4)}).
${scale}
\`\`\`python
from transformers import ${auto}
model = ${auto}.from_pretrained("path/to/this/folder")
\`\`\`

To train the full model at scale so that this depth holds up, \`training-handoff/\` has LayerDrop at the
paper's rate for it, p* = 1 − ${keep.length}/${model.layers} = ${recommendedRate(model.layers, keep.length).toFixed(2)}: fairseq flags, a torchtune \`layer_dropout\` section and a
DeepSpeed Progressive Layer Dropping snippet, each saying what it needs. LayerDrop added only
when finetuning does not make a model robust to pruning (Fan et al., 2019).
`;
}
