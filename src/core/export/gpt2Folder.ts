import * as path from 'node:path';
import { encodeSafetensors, type NamedTensor, type SafetensorsFile } from '../checkpoint/safetensors';
import type { DepthLabConfig } from '../config/schema';
import { PAD, UNK } from '../data/charTokenizer';
import { writeFileAtomic, writeJsonAtomic } from '../files/atomicWrite';
import { hasTiedHead } from '../model/parameters';

/** DepthLab's names per layer → GPT-2's, and whether the weight is a linear map (Conv1D wants [in, out]). */
const LAYER_NAMES: Array<[string, string, boolean]> = [
  ['ln1.weight', 'ln_1.weight', false],
  ['ln1.bias', 'ln_1.bias', false],
  ['attn.qkv.weight', 'attn.c_attn.weight', true],
  ['attn.qkv.bias', 'attn.c_attn.bias', false],
  ['attn.out.weight', 'attn.c_proj.weight', true],
  ['attn.out.bias', 'attn.c_proj.bias', false],
  ['ln2.weight', 'ln_2.weight', false],
  ['ln2.bias', 'ln_2.bias', false],
  ['ffn.fc1.weight', 'mlp.c_fc.weight', true],
  ['ffn.fc1.bias', 'mlp.c_fc.bias', false],
  ['ffn.fc2.weight', 'mlp.c_proj.weight', true],
  ['ffn.fc2.bias', 'mlp.c_proj.bias', false],
];

const OUTER_NAMES: Array<[string, string]> = [
  ['embed.tokens.weight', 'transformer.wte.weight'],
  ['embed.positions.weight', 'transformer.wpe.weight'],
  ['final_ln.weight', 'transformer.ln_f.weight'],
  ['final_ln.bias', 'transformer.ln_f.bias'],
];

/** Whether a model maps onto GPT2LMHeadModel: a language model with no output bias (GPT-2 has none; old runs and classifiers do). */
export const mapsToGpt2 = (config: DepthLabConfig, tensors: ReadonlyMap<string, NamedTensor>) => config.task === 'language-model' && !tensors.has('head.bias');

/**
 * A pruned DepthLab language model as a Hugging Face GPT-2 folder that
 * `GPT2LMHeadModel.from_pretrained` loads: DepthLab's architecture is GPT-2's (pre-LN, learned
 * positions, fused q/k/v split q|k|v then by head, tanh GELU = gelu_new, LayerNorm eps 1e-5, final
 * LayerNorm, an output layer without bias: the token embedding when tied, else lm_head). Weights are
 * renamed and the Conv1D maps transposed from nn.Linear's [out, in] to [in, out] (lm_head is an
 * nn.Linear and stays); the character vocabulary becomes a tokenizer.json (a BPE model with no
 * merges: each character is a token, unknown ones map to <unk>, as DepthLab's do).
 */
export function writeGpt2Folder(dir: string, pruned: SafetensorsFile, config: DepthLabConfig, vocab: readonly string[]): void {
  const { layers, dModel, heads, ffn, seqLen } = config.model;
  const tensors = new Map<string, NamedTensor>();
  for (const [ours, theirs] of OUTER_NAMES) tensors.set(theirs, required(pruned, ours));
  for (let layer = 0; layer < layers; layer++) {
    for (const [ours, theirs, linear] of LAYER_NAMES) {
      const tensor = required(pruned, `layers.${layer}.${ours}`);
      tensors.set(`transformer.h.${layer}.${theirs}`, linear ? transposed(tensor) : tensor);
    }
  }
  const tied = hasTiedHead({ task: config.task, model: config.model });
  if (!tied) tensors.set('lm_head.weight', required(pruned, 'head.weight'));
  writeFileAtomic(path.join(dir, 'model.safetensors'), encodeSafetensors({ tensors, metadata: { format: 'pt' } }));
  writeJsonAtomic(path.join(dir, 'config.json'), {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: vocab.length,
    n_positions: seqLen,
    n_embd: dModel,
    n_layer: layers,
    n_head: heads,
    n_inner: ffn,
    activation_function: 'gelu_new',
    layer_norm_epsilon: 1e-5,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    scale_attn_weights: true,
    tie_word_embeddings: tied,
    bos_token_id: null,
    eos_token_id: null,
    pad_token_id: PAD,
    dtype: 'float32',
  });
  writeJsonAtomic(path.join(dir, 'tokenizer.json'), characterTokenizer(vocab));
  writeJsonAtomic(path.join(dir, 'tokenizer_config.json'), {
    tokenizer_class: 'PreTrainedTokenizerFast',
    pad_token: vocab[PAD],
    unk_token: vocab[UNK],
    model_max_length: seqLen,
    clean_up_tokenization_spaces: false,
  });
}

/** tokenizer.json for DepthLab's character vocabulary: one token per character, in DepthLab's ids. */
export function characterTokenizer(vocab: readonly string[]) {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: 'Fuse' },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: vocab[UNK],
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
      merges: [],
    },
  };
}

function required(file: SafetensorsFile, name: string): NamedTensor {
  const tensor = file.tensors.get(name);
  if (!tensor) throw new Error(`pruned checkpoint has no ${name}`);
  return tensor;
}

function transposed({ shape: [rows, columns], data }: NamedTensor): NamedTensor {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = data[r * columns + c];
  return { shape: [columns, rows], data: out };
}
