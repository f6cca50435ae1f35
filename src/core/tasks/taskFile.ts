import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors';
import { unreadableFile } from '../files/unreadableFile';
import { textContent } from '../data/textContent';
import { datasetSplitFiles, isDatasetSpec } from '../files/hubCache';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';

/** One multiple-choice question as it is scored: each continuation's log-likelihood after the context. */
export interface TaskItem {
  context: string;
  /** Winogrande's: a context per choice (the sentence up to the blank, with that option), the continuation shared. */
  contexts?: string[];
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
  /** Which of the accepted shapes its rows have. */
  shape: TaskShape;
  items: TaskItem[];
  /** With --limit: how many questions the task has, of which `items` are the first. */
  of?: number;
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
  piqa: {
    fields: ['goal', 'sol1', 'sol2', 'label'],
    schema: z.object({ goal: text, sol1: text, sol2: text, label: index }),
    item: (d: { goal: string; sol1: string; sol2: string; label: number }) => ({ context: `Question: ${d.goal}\nAnswer:`, choices: [d.sol1, d.sol2], gold: d.label, delimiter: ' ' }),
  },
  winogrande: {
    fields: ['sentence', 'option1', 'option2', 'answer'],
    schema: z.object({ sentence: text.regex(/_/, 'needs the blank _ the options fill'), option1: text, option2: text, answer: index }),
    // The harness's partial scoring: each option completes the sentence up to the blank; the rest is the continuation scored.
    item: (d: { sentence: string; option1: string; option2: string; answer: number }) => {
      const blank = d.sentence.indexOf('_');
      const rest = d.sentence.slice(blank + 1).trim();
      return { context: '', contexts: [d.option1, d.option2].map((option) => d.sentence.slice(0, blank) + option), choices: [rest, rest], gold: d.answer - 1, delimiter: ' ' };
    },
  },
} as const;

export type TaskShape = keyof typeof SHAPES | 'named fields';

/** The natural names of each field, for rows in none of the shapes above: the question, its choices, the right one. */
const SYNONYMS = {
  context: ['context', 'query', 'question', 'prompt'],
  choices: ['choices', 'continuations', 'endings', 'options'],
  gold: ['gold', 'label', 'answer', 'answerKey'],
} as const;

const ACCEPTED = [
  ...Object.entries(SHAPES).map(([name, shape]) => `${name} {${shape.fields.join(', ')}, …}`),
  `or one field of each: ${Object.values(SYNONYMS).map((names) => names.join('/')).join(', ')}`,
].join('; ');

type Row = Record<string, unknown>;
type ItemParts = { context: string; contexts?: string[]; choices: readonly string[]; gold: number; delimiter: string };

/** A row by the field names people pick, each role named once; the gold answer an index, a letter, or the right choice's text. */
function namedFieldsItem(row: Row, fail: (message: string) => Error): ItemParts | undefined {
  const found = Object.fromEntries(Object.entries(SYNONYMS).map(([role, names]) => [role, names.filter((name) => name in row && (role !== 'choices' || Array.isArray(row[name])))])) as Record<keyof typeof SYNONYMS, string[]>;
  const twice = Object.entries(found).filter(([, names]) => names.length > 1);
  if (twice.length) throw fail(`ambiguous: ${twice.map(([role, names]) => `${names.join(' and ')} could each be the ${role}`).join('; ')}; keep one (fields found: ${Object.keys(row).join(', ')})`);
  if (Object.values(found).some((names) => names.length === 0)) return undefined;
  const [context, choices, gold] = [found.context[0], found.choices[0], found.gold[0]].map((name) => row[name]);
  const parsed = z.object({ context: text, choices: choiceList }).safeParse({ context, choices });
  if (!parsed.success) throw fail(`${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
  const answer = String(gold).trim();
  const goldIndex = /^\d+$/.test(answer) ? Number(answer) : /^[A-Z]$/.test(answer) ? answer.charCodeAt(0) - 65 : parsed.data.choices.indexOf(answer);
  if (goldIndex < 0) throw fail(`${found.gold[0]} ${JSON.stringify(gold)} is neither an index, a letter nor one of the choices`);
  return { context: parsed.data.context, choices: parsed.data.choices, gold: goldIndex, delimiter: ' ' };
}

/** A task's rows and where each is, for errors: JSON Lines' line numbers, parquet's row numbers. */
type Sourced = { row: unknown; where: string };

function jsonLines(file: string): Sourced[] {
  const content = textContent(fs.readFileSync(file));
  if ('problem' in content) throw new UserError(`${file} is ${content.problem}`);
  return content.text.split('\n').flatMap((raw, i) => {
    if (raw.trim() === '') return [];
    try {
      return [{ row: JSON.parse(raw), where: `${file}:${i + 1}` }];
    } catch (error) {
      throw new UserError(`${file}:${i + 1}: not JSON (${(error as Error).message}); each line holds one question as a JSON object`);
    }
  });
}

/** A parquet file's rows (the Hub's datasets), 64-bit integers as numbers. */
async function parquetRows(file: string): Promise<Sourced[]> {
  let rows: Row[];
  try {
    rows = (await parquetReadObjects({ file: await asyncBufferFromFile(file) })) as Row[];
  } catch (error) {
    throw new UserError(`${file}: not a parquet file DepthLab reads (${(error as Error).message.split('\n')[0]})`);
  }
  const plain = (value: unknown): unknown =>
    typeof value === 'bigint' ? Number(value) : Array.isArray(value) ? value.map(plain) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)])) : value;
  return rows.map((row, i) => ({ row: plain(row), where: `${file}: row ${i + 1}` }));
}

/**
 * A task: a JSON Lines file, a parquet file, or a dataset split in the Hugging Face cache
 * (`org/name[:split]`), each row in one of the shapes above. A bad row is one error naming the file,
 * the line or row, and the field. `limit`: only the first questions are scored.
 */
export async function readTaskFile(source: string, limit?: number): Promise<TaskFile> {
  const dataset = !fs.existsSync(source) && isDatasetSpec(source) ? datasetSplitFiles(source) : undefined;
  if (!dataset) {
    const problem = unreadableFile(source, 'task file');
    if (problem) throw new UserError(problem);
  }
  const files = dataset?.files ?? [source];
  const rows = (await Promise.all(files.map((file) => (file.endsWith('.parquet') ? parquetRows(file) : jsonLines(file))))).flat();
  const items: TaskItem[] = [];
  let shape: TaskShape | undefined;
  for (const { row, where } of rows) {
    const fail = (message: string) => new UserError(`${where}: ${message}`);
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw fail('not an object; each row holds one question');
    const named = shapeOf(row as Row);
    const parts = named ? shapeItem(named, row, fail) : namedFieldsItem(row as Row, fail);
    const rowShape: TaskShape = named ?? 'named fields';
    if (!parts) throw fail(`no shape DepthLab reads (fields: ${Object.keys(row).join(', ')}); allowed: ${ACCEPTED}`);
    if (shape && rowShape !== shape) throw fail(`a ${rowShape} row in a file of ${shape} rows; one shape per file`);
    shape = rowShape;
    const { context, contexts, choices, gold, delimiter } = parts;
    if (gold < 0 || gold >= choices.length) throw fail(`the gold answer (${named ? goldField(named) : 'gold'}) is out of range; allowed: 0 to ${choices.length - 1} for its ${choices.length} choices`);
    items.push({ context, ...(contexts && { contexts }), continuations: choices.map((choice) => delimiter + choice), normLengths: choices.map((choice) => choice.length), gold });
  }
  if (!items.length) throw new UserError(`${source}: no questions; a task holds one question per row (${ACCEPTED})`);
  const name = dataset?.name ?? path.basename(source).replace(/\.(jsonl?|parquet)$/i, '');
  const kept = limit === undefined ? items : items.slice(0, limit);
  return { name, file: source, shape: shape!, items: kept, ...(kept.length < items.length && { of: items.length }) };
}

function shapeItem(shape: keyof typeof SHAPES, row: unknown, fail: (message: string) => Error): ItemParts {
  const parsed = SHAPES[shape].schema.safeParse(row);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail(`${issue.path.join('.') || '(row)'}: ${issue.message}`);
  }
  return (SHAPES[shape].item as (d: unknown) => ItemParts)(parsed.data);
}

/** The first shape whose telling fields the row has all of, the most specific first. */
function shapeOf(value: Row): keyof typeof SHAPES | undefined {
  const order: Array<keyof typeof SHAPES> = ['harness request', 'arc', 'mmlu', 'hellaswag', 'piqa', 'winogrande', 'harness document'];
  return order.find((name) => SHAPES[name].fields.every((field) => field in value) && (name !== 'mmlu' || Array.isArray(value.choices)));
}

const goldField = (shape: keyof typeof SHAPES) => ({ 'harness request': 'gold', 'harness document': 'gold', mmlu: 'answer', arc: 'answerKey', hellaswag: 'label', piqa: 'label', winogrande: 'answer' })[shape];
