import * as path from 'node:path';
import type { PretrainedModel } from '../huggingface/pretrainedModel';
import { keptRuns } from './keptRuns';

/** A hand-off file, or why the cut cannot be expressed in that tool (the export's README says so). */
export type Handoff = { files: Record<string, string> } | { leftOut: string };

/** LLM-Pruner's recovery LoRA (Ma et al., 2023): rank 8, alpha 16, dropout 0.05, learning rate 1e-4. */
export const HEAL = { rank: 8, alpha: 16, dropout: 0.05, learningRate: 1e-4, steps: 1000, batchSize: 8, window: 1024 };

const decoderOnly = (model: PretrainedModel, tool: string) =>
  model.objective === 'masked-lm' ? `${tool} takes decoder language models; ${model.config.modelType} is a masked-language encoder, so DepthLab writes no ${tool} hand-off for it` : undefined;

/**
 * llama.cpp: convert the original model to GGUF once, then `llama-quantize --prune-layers` with the
 * removed layers (llama.cpp PR #13037). Its own caveat: per-layer metadata arrays are not pruned
 * with the layers (llama.cpp #27976); converting this folder directly avoids that.
 */
export function llamaCppHandoff(model: PretrainedModel, source: string, keep: readonly number[]): Handoff {
  const why = decoderOnly(model, 'llama.cpp');
  if (why) return { leftOut: why };
  const removed = Array.from({ length: model.layers }, (_, l) => l).filter((l) => !keep.includes(l));
  const name = path.basename(source);
  const text = [
    `# llama.cpp: the same cut for GGUF, from the original model (${model.layers} layers, keeping ${keep.join(',')}).`,
    `# 1. Convert the original once (llama.cpp's convert_hf_to_gguf.py):`,
    `python convert_hf_to_gguf.py ${source} --outtype f16 --outfile ${name}-f16.gguf`,
    `# 2. Quantize with the removed layers pruned (llama.cpp PR #13037; any quantization type works):`,
    `llama-quantize --prune-layers ${removed.join(',')} ${name}-f16.gguf ${name}-keep-${keep.join('-')}-Q4_K_M.gguf Q4_K_M`,
    `# Caveat (llama.cpp #27976): --prune-layers drops the layers' tensors, not per-layer metadata arrays`,
    `# (per-layer head counts, sliding-window patterns). For such models convert this pruned folder instead:`,
    `python convert_hf_to_gguf.py . --outtype f16 --outfile ${name}-keep-${keep.join('-')}-f16.gguf`,
    '',
  ].join('\n');
  return { files: { 'llama.cpp.txt': text } };
}

/** mergekit: a passthrough merge of the original with one slice per run of kept layers; mergekit's layer_range end is exclusive. */
export function mergekitHandoff(model: PretrainedModel, source: string, keep: readonly number[]): Handoff {
  const why = decoderOnly(model, 'mergekit');
  if (why) return { leftOut: why };
  const dtype = String(model.config.raw.torch_dtype ?? model.config.raw.dtype ?? 'float32');
  const slices = keptRuns(keep).flatMap(([start, end]) => ['  - sources:', `      - model: ${JSON.stringify(source)}`, `        layer_range: [${start}, ${end}]   # ${end - start === 1 ? `layer ${start}` : `layers ${start}…${end - 1}`}`]);
  const text = [
    `# mergekit: the same cut from the original model: mergekit-yaml mergekit.yaml ./pruned`,
    `# One slice per run of kept layers (${keep.join(',')}); layer_range [start, end) excludes its end.`,
    'merge_method: passthrough',
    `dtype: ${dtype}`,
    'slices:',
    ...slices,
    '',
  ].join('\n');
  return { files: { 'mergekit.yaml': text } };
}

/** heal/: a PEFT LoRA config and a transformers Trainer script that finetunes this folder on the user's text. */
export function healHandoff(model: PretrainedModel): Handoff {
  const targets = model.family.lora(model.config);
  const masked = model.objective === 'masked-lm';
  const lora = {
    peft_type: 'LORA',
    ...(masked ? {} : { task_type: 'CAUSAL_LM' }),
    r: HEAL.rank,
    lora_alpha: HEAL.alpha,
    lora_dropout: HEAL.dropout,
    target_modules: targets.modules,
    ...(targets.fanInFanOut && { fan_in_fan_out: true }),
    bias: 'none',
  };
  const script = `"""Heal this pruned model with LoRA on your text (a GPU script; DepthLab does not run it).

  pip install torch transformers peft
  python heal/heal.py your-text.txt [--steps ${HEAL.steps}] [--out healed]

LoRA as LLM-Pruner recovers pruned models (Ma et al., 2023): rank ${HEAL.rank}, alpha ${HEAL.alpha}, dropout
${HEAL.dropout}, learning rate ${HEAL.learningRate}; ${HEAL.steps} steps of ${HEAL.batchSize} windows of ${HEAL.window} tokens by default. The adapter is
merged into the weights, so --out is a plain transformers folder DepthLab can analyse again.
"""
import argparse
import json
import os

import torch
from peft import LoraConfig, get_peft_model
from transformers import (AutoModelFor${masked ? 'MaskedLM' : 'CausalLM'}, AutoTokenizer, DataCollatorForLanguageModeling, Trainer,
                          TrainingArguments)

HERE = os.path.dirname(os.path.abspath(__file__))
FOLDER = os.path.dirname(HERE)

parser = argparse.ArgumentParser()
parser.add_argument("text")
parser.add_argument("--steps", type=int, default=${HEAL.steps})
parser.add_argument("--out", default="healed")
args = parser.parse_args()

tokenizer = AutoTokenizer.from_pretrained(FOLDER)
if tokenizer.pad_token is None:
    tokenizer.pad_token = tokenizer.eos_token
model = AutoModelFor${masked ? 'MaskedLM' : 'CausalLM'}.from_pretrained(FOLDER, dtype=torch.bfloat16 if torch.cuda.is_available() else torch.float32)
with open(os.path.join(HERE, "lora_config.json"), encoding="utf-8") as f:
    model = get_peft_model(model, LoraConfig(**{k: v for k, v in json.load(f).items() if k != "peft_type"}))
model.print_trainable_parameters()

with open(args.text, encoding="utf-8") as f:
    ids = tokenizer(f.read())["input_ids"]
window = min(${HEAL.window}, getattr(model.config, "max_position_embeddings", ${HEAL.window}) - 2)
blocks = [{"input_ids": ids[i:i + window]} for i in range(0, len(ids) - window + 1, window)]
collator = DataCollatorForLanguageModeling(tokenizer, mlm=${masked ? 'True' : 'False'})
training = TrainingArguments(output_dir=os.path.join(args.out, "checkpoints"), max_steps=args.steps, per_device_train_batch_size=${HEAL.batchSize},
                             learning_rate=${HEAL.learningRate}, lr_scheduler_type="cosine", warmup_steps=min(100, args.steps // 10), logging_steps=50,
                             bf16=torch.cuda.is_available(), save_strategy="no", report_to=[])
Trainer(model=model, args=training, train_dataset=blocks, data_collator=collator).train()
model.merge_and_unload().save_pretrained(args.out)
tokenizer.save_pretrained(args.out)
print(f"healed model: {args.out}")
`;
  return { files: { 'heal/lora_config.json': `${JSON.stringify(lora, null, 2)}\n`, 'heal/heal.py': script } };
}

/** Every hand-off of a Hugging Face export, and the ones left out with why. */
export function prunedModelHandoffs(model: PretrainedModel, source: string, keep: readonly number[]): { files: Record<string, string>; leftOut: string[] } {
  const all = [llamaCppHandoff(model, source, keep), mergekitHandoff(model, source, keep), healHandoff(model)];
  return {
    files: Object.assign({}, ...all.map((h) => ('files' in h ? h.files : {}))),
    leftOut: all.flatMap((h) => ('leftOut' in h ? [h.leftOut] : [])),
  };
}
