import type { Tokenizer } from '../data/tokenizer';
import { UserError } from '../errors';
import { prepareTask, type PreparedTask } from './taskBatches';
import { readTaskFile } from './taskFile';
import { taskPath } from '../config/taskPath';

/**
 * The named tasks read and tokenized for a model with `window` positions. A model that does not
 * predict the next token cannot score a continuation: `notNextToken` says what it is instead.
 */
export async function openTasks(names: readonly string[], base: string, tokenizer: Tokenizer, window: number, notNextToken?: string, limit?: number): Promise<PreparedTask[]> {
  if (!names.length) return [];
  if (notNextToken) throw new UserError(`tasks are scored by a next-token language model; ${notNextToken}`);
  const prepared = await Promise.all(names.map(async (name) => prepareTask(await readTaskFile(taskPath(name, base), limit), tokenizer, window)));
  const taken = new Set<string>();
  for (const task of prepared) {
    if (taken.has(task.name)) throw new UserError(`two tasks are named "${task.name}" (${task.file}); rename one file`);
    taken.add(task.name);
  }
  return prepared;
}

/** "moby-dick-cloze: 200 questions, 3 with context cut to the window" per task, for the job's notices. */
export const taskNotice = (task: PreparedTask) =>
  `task ${task.name}: ${task.items.length}${task.of ? ` of ${task.of} (--limit)` : ''} questions, ${task.batches.reduce((n, b) => n + b.size, 0)} choice rows${task.truncated ? `; ${task.truncated} with context cut from the left to fit the window (as lm-evaluation-harness does)` : ''}`;
