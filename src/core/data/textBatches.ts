import type { Batch } from './batch';
import { UserError } from '../errors';
import { Rng } from '../random/rng';
import type { PretrainedTokenizer } from './pretrainedTokenizer';


export interface TextBatchOptions {
  /** Tokens to measure on, at most (the text may hold fewer). */
  tokens: number;
  /** Positions per window. */
  window: number;
  /** Windows per batch. */
  batchSize: number;
  seed: number;
}

/**
 * The user's text as evaluation batches for a pretrained model, cut into windows of the model's
 * own tokens. Decoders: next-token targets, each window opening with what the model's tokenizer
 * puts before a text (BOS for Llama, Gemma and OPT; nothing for GPT-2, GPT-NeoX and Qwen, whose
 * tokenizers add none; Gemma's perplexity depends on it). Encoders: [CLS] … [SEP] windows with 15% of the other tokens masked by a seeded draw (80%
 * the mask token, 10% a random token, 10% unchanged, as BERT was trained), predicted at those rows.
 */
export function textBatches(text: string, tokenizer: PretrainedTokenizer, objective: 'causal-lm' | 'masked-lm', options: TextBatchOptions): Batch[] {
  return textWindows(textCutter(text, tokenizer, objective), options);
}

/** The text tokenized once, to be cut into batches (textBatches) at any window and batch size. */
export interface TextCutter {
  /** The text's tokens of this model. */
  tokens: number;
  /** The batches, none where the text is shorter than one window. */
  cut(options: TextBatchOptions): Batch[];
}

export function textCutter(text: string, tokenizer: PretrainedTokenizer, objective: 'causal-lm' | 'masked-lm'): TextCutter {
  if (objective === 'masked-lm' && tokenizer.specialTokens.mask === undefined) throw new UserError('the tokenizer names no mask token (tokenizer_config.json "mask_token"); a masked-LM loss needs one');
  const ids = tokenizer.encodePlain(text);
  const encoded = tokenizer.encode('');
  const [open, close] = objective === 'masked-lm' ? [encoded.slice(0, 1), encoded.slice(1)] : [leadingSpecials(tokenizer), new Int32Array()];
  return { tokens: ids.length, cut: (options) => cutBatches(ids, open, close, tokenizer, objective, options) };
}

/** The text cut as `options` ask, or one user error where it holds no window of that length. */
export function textWindows(cutter: TextCutter, options: TextBatchOptions): Batch[] {
  const batches = cutter.cut(options);
  if (!batches.length) throw new UserError(`the text holds ${cutter.tokens} tokens of this model, fewer than one window of ${options.window}; give a longer text or a smaller --window`);
  return batches;
}

function cutBatches(ids: Int32Array, open: Int32Array, close: Int32Array, tokenizer: PretrainedTokenizer, objective: 'causal-lm' | 'masked-lm', options: TextBatchOptions): Batch[] {
  const { mask } = tokenizer.specialTokens;
  const body = options.window - open.length - close.length + (objective === 'causal-lm' ? 1 : 0);
  const windows: Int32Array[] = [];
  for (let start = 0; start + body <= ids.length && (windows.length + 1) * options.window <= options.tokens; start += body) {
    windows.push(Int32Array.from([...open, ...ids.subarray(start, start + body), ...close]));
  }
  const rng = new Rng(options.seed);
  const batches: Batch[] = [];
  for (let first = 0; first < windows.length; first += options.batchSize) {
    const group = windows.slice(first, first + options.batchSize);
    const size = group.length;
    if (objective === 'causal-lm') {
      const length = options.window;
      const inputs = new Int32Array(size * length);
      const targets = new Int32Array(size * length);
      group.forEach((w, b) => {
        inputs.set(w.subarray(0, length), b * length);
        targets.set(w.subarray(1, length + 1), b * length);
      });
      batches.push({ size, length, inputs, targets });
    } else {
      const length = options.window;
      const inputs = Int32Array.from(group.flatMap((w) => [...w]));
      const predicted: number[] = [];
      const targets: number[] = [];
      for (let b = 0; b < size; b++) {
        for (let t = open.length; t < length - close.length; t++) {
          if (rng.next() >= 0.15) continue;
          const row = b * length + t;
          predicted.push(row);
          targets.push(inputs[row]);
          const roll = rng.next();
          if (roll < 0.8) inputs[row] = mask as number;
          else if (roll < 0.9) inputs[row] = rng.int(tokenizer.vocabSize);
        }
      }
      batches.push({ size, length, inputs, targets: Int32Array.from(targets), predicted: Int32Array.from(predicted) });
    }
  }
  return batches;
}

/** What the tokenizer puts before a text's own tokens (an EOS it appends would close a window, not open one). */
export function leadingSpecials(tokenizer: PretrainedTokenizer): Int32Array {
  const sample = 'text';
  const plain = tokenizer.encodePlain(sample);
  const encoded = tokenizer.encode(sample);
  const at = encoded.findIndex((_, i) => plain.every((id, j) => encoded[i + j] === id));
  return encoded.slice(0, Math.max(0, at));
}
