import type { Tokenizer } from '../data/tokenizer';
import { UserError } from '../errors';
import { leadingSpecials } from '../data/textBatches';
import type { PretrainedTokenizer } from '../data/pretrainedTokenizer';
import type { Batch } from '../data/batch';
import type { TaskFile } from './taskFile';

/** A task tokenized for one model: its rows (one per item and choice, item-major) in batches, and what scoring them needs. */
export interface PreparedTask {
  name: string;
  file: string;
  batches: Batch[];
  /** Per item: its choices' count, gold index and acc_norm lengths, in row order. */
  items: { choices: number; gold: number; normLengths: number[] }[];
  /** Items whose context was cut from the left to fit the window. */
  truncated: number;
  /** With --limit: the task's questions, of which `items` are the first. */
  of?: number;
}

/** Choice rows per batch: each row is one context with one continuation. */
export const TASK_BATCH_ROWS = 8;

/** The most positions a Hugging Face model scores a task row on (a longer context is cut from the left). */
export const TASK_WINDOW = 2048;

/**
 * The task's rows for a next-token model with `window` positions, scored as lm-evaluation-harness
 * does: the context's trailing spaces move to the continuation; the continuation's tokens are those
 * of context + continuation past the context's own; the model's leading specials (BOS) open each
 * row; a row past the window loses tokens from the left. Each row ends where its text does, the
 * batch's shorter rows padded after it (a causal model never looks right, so padding changes nothing).
 */
export function prepareTask(task: TaskFile, tokenizer: Tokenizer, window: number): PreparedTask {
  const { plain, opening } = encoderOf(tokenizer);
  const rows: { ids: Int32Array; scored: number }[] = [];
  let truncated = 0;
  task.items.forEach((item, i) => {
    const where = `${task.file}: question ${i + 1}`;
    let cut = false;
    item.continuations.forEach((choice, c) => {
      const whole = item.contexts?.[c] ?? item.context;
      const spaces = whole.length - whole.trimEnd().length;
      const context = whole.slice(0, whole.length - spaces);
      const continuation = whole.slice(context.length) + choice;
      const contextIds = plain(context);
      const continuationIds = plain(context + continuation).slice(contextIds.length);
      if (continuationIds.length === 0) throw new UserError(`${where}: the continuation ${JSON.stringify(choice)} adds no token to the context`);
      if (continuationIds.length > window) throw new UserError(`${where}: a continuation of ${continuationIds.length} tokens is longer than the window of ${window}`);
      let ids = Int32Array.from([...opening, ...contextIds, ...continuationIds]);
      if (ids.length === continuationIds.length) throw new UserError(`${where}: an empty context, and this tokenizer puts nothing before a text to predict the first token from`);
      if (ids.length > window + 1) {
        ids = ids.slice(ids.length - window - 1);
        cut = true;
      }
      rows.push({ ids, scored: continuationIds.length });
    });
    if (cut) truncated++;
  });
  const batches: Batch[] = [];
  for (let first = 0; first < rows.length; first += TASK_BATCH_ROWS) {
    const group = rows.slice(first, first + TASK_BATCH_ROWS);
    const length = Math.max(...group.map((row) => row.ids.length - 1));
    const inputs = new Int32Array(group.length * length);
    const targets = new Int32Array(group.length * length);
    const spans = new Int32Array(group.length * 2);
    group.forEach(({ ids, scored }, r) => {
      const used = ids.length - 1;
      inputs.set(ids.subarray(0, used), r * length);
      targets.set(ids.subarray(1), r * length);
      spans.set([used - scored, used], 2 * r);
    });
    batches.push({ size: group.length, length, inputs, targets, spans });
  }
  const items = task.items.map((item) => ({ choices: item.continuations.length, gold: item.gold, normLengths: item.normLengths }));
  return { name: task.name, file: task.file, batches, items, truncated, ...(task.of && { of: task.of }) };
}

/** A model's tokenizer without its specials, and what it puts before a text; DepthLab's character tokenizer adds none. */
function encoderOf(tokenizer: Tokenizer): { plain: (text: string) => Int32Array; opening: Int32Array } {
  if ('encodePlain' in tokenizer) {
    const pretrained = tokenizer as PretrainedTokenizer;
    return { plain: (text) => pretrained.encodePlain(text), opening: leadingSpecials(pretrained) };
  }
  return { plain: (text) => tokenizer.encode(text), opening: new Int32Array() };
}
