import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors';
import { unreadableFile } from '../files/unreadableFile';
import { textContent } from '../data/textContent';

/** One multiple-choice question as it is scored: each continuation's log-likelihood after the context. */
export interface TaskItem {
  context: string;
  /** Scored verbatim after the context (the harness's target delimiter, a space, already in front where the shape adds one). */
  continuations: string[];
  /** Characters acc_norm divides each continuation's log-likelihood by: the choice's text without the delimiter, as the harness does. */
  normLengths: number[];
  gold: number;
}

export interface TaskFile {
  /** The file's name without its extension: how tables and charts name the task. */
  name: string;
  file: string;
  /** Which of the accepted shapes its lines have. */
  shape: TaskShape;
  items: TaskItem[];
}

const text = z.string();
const choiceList = z.array(text).min(2, 'needs at least two choices');
const index = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]);

/**
 * The line shapes DepthLab reads, each told by its fields: lm-evaluation-harness's multiple-choice
 * request (context, continuations scored verbatim, gold) and its processed documents (query,
 * choices, gold; HellaSwag's), and the plain exports of MMLU, ARC and HellaSwag on the Hub. Contexts
 * and delimiters follow the harness's own task files (mmlu default, arc_easy, hellaswag).
 */
const SHAPES = {
  'harness request': {
    fields: ['context', 'continuations'],
    schema: z.object({ context: text, continuations: choiceList, gold: index }),
    item: (d: { context: string; continuations: string[]; gold: number }) => ({ context: d.context, choices: d.continuations, gold: d.gold, delimiter: '' }),
  },
  'harness document': {
    fields: ['query', 'choices'],
    schema: z.object({ query: text, choices: choiceList, gold: index }),
    item: (d: { query: string; choices: string[]; gold: number }) => ({ context: d.query, choices: d.choices, gold: d.gold, delimiter: ' ' }),
  },
  mmlu: {
    fields: ['question', 'choices', 'answer'],
    schema: z.object({ question: text, choices: choiceList, answer: index }),
    item: (d: { question: string; choices: string[]; answer: number }) => {
      const letters = d.choices.map((_, i) => String.fromCharCode(65 + i));
      const listed = d.choices.map((choice, i) => `${letters[i]}. ${choice}`).join('\n');
      return { context: `${d.question.trim()}\n${listed}\nAnswer:`, choices: letters, gold: d.answer, delimiter: ' ' };
    },
  },
  arc: {
    fields: ['question', 'choices', 'answerKey'],
    schema: z.object({ question: text, choices: z.object({ text: choiceList, label: z.array(text) }), answerKey: text }),
    item: (d: { question: string; choices: { text: string[]; label: string[] }; answerKey: string }) => ({
      context: `Question: ${d.question}\nAnswer:`,
      choices: d.choices.text,
      gold: d.choices.label.indexOf(d.answerKey),
      delimiter: ' ',
    }),
  },
  hellaswag: {
    fields: ['ctx', 'endings', 'label'],
    schema: z.object({ ctx: text, endings: choiceList, label: index }),
    item: (d: { ctx: string; endings: string[]; label: number }) => ({ context: d.ctx, choices: d.endings, gold: d.label, delimiter: ' ' }),
  },
} as const;

export type TaskShape = keyof typeof SHAPES;

const ACCEPTED = Object.entries(SHAPES)
  .map(([name, shape]) => `${name} {${shape.fields.join(', ')}, …}`)
  .join('; ');

/** Read a JSON Lines task file; a bad line is one error naming the file, the line and the field. */
export function readTaskFile(file: string): TaskFile {
  const problem = unreadableFile(file, 'task file');
  if (problem) throw new UserError(problem);
  const content = textContent(fs.readFileSync(file));
  if ('problem' in content) throw new UserError(`${file} is ${content.problem}`);
  const items: TaskItem[] = [];
  let shape: TaskShape | undefined;
  content.text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const fail = (message: string) => new UserError(`${file}:${i + 1}: ${message}`);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw fail(`not JSON (${(error as Error).message}); each line holds one question as a JSON object`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('not a JSON object; each line holds one question');
    const lineShape = shapeOf(value as Record<string, unknown>);
    if (!lineShape) throw fail(`no shape DepthLab reads; allowed: ${ACCEPTED}`);
    if (shape && lineShape !== shape) throw fail(`a ${lineShape} line in a file of ${shape} lines; one shape per file`);
    shape = lineShape;
    const parsed = SHAPES[lineShape].schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw fail(`${issue.path.join('.') || '(line)'}: ${issue.message}`);
    }
    const { context, choices, gold, delimiter } = (SHAPES[lineShape].item as (d: unknown) => { context: string; choices: readonly string[]; gold: number; delimiter: string })(parsed.data);
    if (gold < 0 || gold >= choices.length) throw fail(`the gold answer (${goldField(lineShape)}) is out of range; allowed: 0 to ${choices.length - 1} for its ${choices.length} choices`);
    items.push({ context, continuations: choices.map((choice) => delimiter + choice), normLengths: choices.map((choice) => choice.length), gold });
  });
  if (!items.length) throw new UserError(`${file}: no questions; a task file holds one JSON object per line (${ACCEPTED})`);
  return { name: path.basename(file).replace(/\.jsonl?$/i, ''), file, shape: shape!, items };
}

/** The first shape whose telling fields the line has all of, the most specific first. */
function shapeOf(value: Record<string, unknown>): TaskShape | undefined {
  const order: TaskShape[] = ['harness request', 'arc', 'mmlu', 'hellaswag', 'harness document'];
  return order.find((name) => SHAPES[name].fields.every((field) => field in value) && (name !== 'mmlu' || Array.isArray(value.choices)));
}

const goldField = (shape: TaskShape) => ({ 'harness request': 'gold', 'harness document': 'gold', mmlu: 'answer', arc: 'answerKey', hellaswag: 'label' })[shape];
