import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '../src/core/backend/tf';
import { runBatchTask } from '../src/core/evaluate/batchTasks';
import { breakDepth, breakText } from '../src/core/evaluate/breakDepth';
import type { DepthRow } from '../src/core/evaluate/depthSweep';
import { EvaluationThreads } from '../src/core/evaluate/evaluationThreads';
import { UserError } from '../src/core/errors';
import { openPretrained } from '../src/core/huggingface/openPretrained';
import { prepareTask } from '../src/core/tasks/taskBatches';
import { readTaskFile, type TaskFile } from '../src/core/tasks/taskFile';
import { taskPath } from '../src/core/config/taskPath';
import { itemOutcomes, meanStdErr, scoreTask } from '../src/core/evaluate/taskScores';
import { CharTokenizer } from '../src/core/data/charTokenizer';
import { spawnSync } from 'node:child_process';
import { configProblems } from '../src/core/config/configProblems';
import { loadConfig } from '../src/core/config/loadConfig';
import { tinyLanguageModel, TINY_TRAIN, useWasm, workspace } from './helpers';

before(useWasm);

const GPT2 = path.join(import.meta.dirname, 'fixtures/huggingface/gpt2');

function taskFile(lines: unknown[], name = 'task.jsonl'): string {
  const file = path.join(workspace(), name);
  fs.writeFileSync(file, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
  return file;
}

test('the harness shapes and the Hub exports of MMLU, ARC and HellaSwag are read with the harness own prompts and delimiters', async () => {
  const request = await readTaskFile(taskFile([{ context: 'The sky is', continuations: [' blue', ' green'], gold: 0 }]));
  assert.equal(request.shape, 'harness request');
  assert.deepEqual(request.items[0], { context: 'The sky is', continuations: [' blue', ' green'], normLengths: [5, 6], gold: 0 });

  const document = await readTaskFile(taskFile([{ query: 'A man sits', choices: ['down.', 'up high.'], gold: '1' }]));
  assert.equal(document.shape, 'harness document');
  assert.deepEqual(document.items[0], { context: 'A man sits', continuations: [' down.', ' up high.'], normLengths: [5, 8], gold: 1 });

  const mmlu = await readTaskFile(taskFile([{ question: ' 2 + 2 = ? ', subject: 'math', choices: ['3', '4', '5', '6'], answer: 1 }]));
  assert.equal(mmlu.shape, 'mmlu');
  assert.deepEqual(mmlu.items[0], { context: '2 + 2 = ?\nA. 3\nB. 4\nC. 5\nD. 6\nAnswer:', continuations: [' A', ' B', ' C', ' D'], normLengths: [1, 1, 1, 1], gold: 1 });

  const arc = await readTaskFile(taskFile([{ id: 'x', question: 'Which is a gas?', choices: { text: ['ice', 'steam'], label: ['A', 'B'] }, answerKey: 'B' }]));
  assert.equal(arc.shape, 'arc');
  assert.deepEqual(arc.items[0], { context: 'Question: Which is a gas?\nAnswer:', continuations: [' ice', ' steam'], normLengths: [3, 5], gold: 1 });

  const hellaswag = await readTaskFile(taskFile([{ ctx: 'She picks up the bow', endings: ['and plays.', 'and eats it.', 'x', 'y'], label: '0' }]));
  assert.equal(hellaswag.shape, 'hellaswag');
  assert.equal(hellaswag.items[0].gold, 0);
  assert.equal(hellaswag.items[0].continuations[1], ' and eats it.');
});

test('a bad task file is one error naming the file, the line and the field', async () => {
  const fails = async (lines: unknown[], pattern: RegExp) => {
    const file = taskFile(lines);
    await assert.rejects(
      readTaskFile(file),
      (error: Error) => error instanceof UserError && error.message.startsWith(file) && pattern.test(error.message) && !error.message.includes('\n'),
      pattern.source,
    );
  };
  const good = { query: 'q', choices: ['a', 'b'], gold: 0 };
  await fails([good, '{"query": "q", "choices": ['], /:2: not JSON/);
  await fails([good, good, { query: 'q', choices: ['a', 'b'] }], /:3: gold: /);
  await fails([{ query: 'q', choices: ['a', 'b'], gold: 2 }], /:1: the gold answer \(gold\) is out of range; allowed: 0 to 1/);
  await fails([{ question: 'q', choices: { text: ['a', 'b'], label: ['A', 'B'] }, answerKey: 'C' }], /:1: the gold answer \(answerKey\) is out of range/);
  await fails([{ query: 'q', choices: ['only'], gold: 0 }], /:1: choices: needs at least two choices/);
  await fails([{ prompt: 'q', answer: 'a' }], /:1: no shape DepthLab reads \(fields: prompt, answer\); allowed: harness request \{context, continuations/);
  await fails([good, { ctx: 'c', endings: ['a', 'b'], label: 0 }], /:2: a hellaswag row in a file of harness document rows/);
  await fails(['', '  '], /no questions/);
  await assert.rejects(readTaskFile(path.join(workspace(), 'missing.jsonl')), UserError);
});

test('rows: trailing spaces move to the continuation, a long context loses tokens from the left and is counted, spans mark the continuation', () => {
  const tokenizer = CharTokenizer.fromText('abcdefghij ');
  const task: TaskFile = {
    name: 't',
    file: 't.jsonl',
    shape: 'harness request',
    items: [
      { context: 'abc ', continuations: ['de', 'f'], normLengths: [2, 1], gold: 0 },
      { context: 'abcdefghij', continuations: [' ab', ' c'], normLengths: [2, 1], gold: 1 },
    ],
  };
  const prepared = prepareTask(task, tokenizer, 8);
  assert.equal(prepared.truncated, 1, 'the second item: 10 + 3 characters are more than the window of 8 plus one');
  assert.equal(prepared.batches.length, 1);
  const [batch] = prepared.batches;
  assert.equal(batch.size, 4);
  assert.equal(batch.length, 8, 'the longest row fills the window');
  const decode = (row: number) => tokenizer.decode(batch.inputs.subarray(row * 8, row * 8 + 8));
  const scored = (row: number) => tokenizer.decode(batch.targets.subarray(row * 8 + batch.spans![2 * row], row * 8 + batch.spans![2 * row + 1]));
  assert.equal(decode(0), 'abc d', 'context "abc", continuation " de": the input stops one short of the text');
  assert.equal(scored(0), ' de');
  assert.equal(scored(1), ' f');
  assert.equal(decode(2), 'efghij a', 'cut from the left: the last 9 of the 13 characters, less the last');
  assert.equal(scored(2), ' ab');
});

test('a score computed by hand: the summed log-softmax of each continuation token, from full logits of one row at a time', async () => {
  const { model, tokenizer } = openPretrained(GPT2, 'wasm');
  try {
    const task = await readTaskFile(taskFile([
      { context: 'Call me Ishmael. Some years ago', continuations: [', never', ' the whale', '!'], gold: 0 },
      { context: 'The sea', continuations: [' was calm', ' is'], gold: 1 },
    ]));
    const prepared = prepareTask(task, tokenizer, 64);
    const logLikelihoods: number[] = [];
    for (const item of task.items) {
      for (const continuation of item.continuations) {
        const context = tokenizer.encodePlain(item.context);
        const whole = tokenizer.encodePlain(item.context + continuation);
        const ids = Array.from(whole);
        const T = ids.length - 1;
        const batch = { size: 1, length: T, inputs: Int32Array.from(ids.slice(0, T)), targets: Int32Array.from(ids.slice(1)) };
        const logProbs = tf.tidy(() => {
          let stream = model.embed(batch, { training: false });
          for (let l = 0; l < model.layers; l++) stream = { ...stream, x: model.block(stream, l, { training: false }) };
          return tf.logSoftmax(model.logits(stream.x)).arraySync() as number[][];
        });
        let sum = 0;
        for (let t = context.length - 1; t < T; t++) sum += logProbs[t][ids[t + 1]];
        logLikelihoods.push(sum);
      }
    }
    const all = [0, 1, 2, 3];
    const perBatch = prepared.batches.map((batch) => batch.size);
    assert.deepEqual(perBatch, [5], 'both items in one padded batch');
    const { outcomes } = scoreTask(model, prepared, [all]);
    const expected = itemOutcomes(prepared, logLikelihoods);
    assert.deepEqual(outcomes[0], expected);
    // The engine's own sums, against the hand-computed ones, to float32 precision.
    const values = runBatchTask(model, prepared.batches[0], { kind: 'choices', subnetworks: [all] });
    logLikelihoods.forEach((ll, row) => assert.ok(Math.abs(-values[1 + row] - ll) < 1e-4 * Math.max(1, Math.abs(ll)), `row ${row}: ${-values[1 + row]} vs ${ll}`));
  } finally {
    model.dispose();
  }
});

test('acc and acc_norm: the first largest log-likelihood, raw and per character; the standard error is the harness mean_stderr', () => {
  const items = [
    { choices: 3, gold: 0, normLengths: [10, 1, 1] },
    { choices: 2, gold: 1, normLengths: [1, 4] },
  ];
  const { acc, accNorm } = itemOutcomes({ items }, [-5, -4, -6, -2, -3]);
  assert.deepEqual([...acc], [0, 0], 'item 1: -4 beats -5; item 2: -2 beats -3');
  assert.deepEqual([...accNorm], [1, 1], 'per character: -0.5 beats -4 and -6; -0.75 beats -2');
  assert.equal(itemOutcomes({ items: [{ choices: 2, gold: 0, normLengths: [1, 1] }] }, [-1, -1]).acc[0], 1, 'a tie goes to the first, as argmax');
  assert.equal(meanStdErr([1, 0, 1, 1]), Math.sqrt((0.75 * 0.25) / 3));
  assert.equal(meanStdErr([1]), 0);
});

test('the same accuracy, item by item, on 1 and on 2 evaluation threads', async () => {
  const { model, tokenizer } = openPretrained(GPT2, 'wasm');
  try {
    const questions = Array.from({ length: 12 }, (_, i) => ({ query: `Line ${i}: the ship sailed`, choices: [' north', ' south', ' home', ' away'], gold: i % 4 }));
    const prepared = prepareTask(await readTaskFile(taskFile(questions)), tokenizer, 64);
    assert.ok(prepared.batches.length > 2);
    const subnetworks = [[0, 1, 2, 3], [0, 2], [1]];
    const one = scoreTask(model, prepared, subnetworks);
    const pool = await EvaluationThreads.attach(model, { kind: 'pretrained', folder: GPT2 }, 'wasm', 2);
    try {
      const two = scoreTask(model, prepared, subnetworks);
      assert.ok(pool.batchesElsewhere > 0);
      assert.deepEqual(two, one);
    } finally {
      await pool.dispose();
    }
  } finally {
    model.dispose();
  }
});

test('a sweep breaks where accuracy falls by more than two paired errors in one step, and says so in points', () => {
  const row = (depth: number, acc: number, accStepStdErr?: number): DepthRow => ({
    depth,
    layers: Array.from({ length: depth }, (_, l) => l),
    loss: 1,
    msPerBatch: 1,
    tasks: [{ name: 'cloze', items: 100, acc, accStdErr: 0.05, accNorm: acc, accNormStdErr: 0.05, ...(accStepStdErr !== undefined && { accStepStdErr }) }],
  });
  const rows = [row(4, 0.8), row(3, 0.78, 0.02), row(2, 0.5, 0.04), row(1, 0.45, 0.05)];
  const found = breakDepth(rows, 2, 'cloze');
  assert.deepEqual({ ...found, jump: Number(found?.jump.toFixed(6)) }, { holdsTo: 3, at: 2, jump: 0.28, stdErr: 0.04 });
  assert.equal(breakText('every-other', rows, 'cloze'), 'every-other holds to 3 of 4 layers, then loses 28.0 ± 4.0 points of cloze accuracy at 2 (the largest step of the sweep)');
  assert.equal(breakDepth(rows, 2), undefined, 'the loss never moves');
});

const CLI = path.join(import.meta.dirname, '../dist/cli.js');
const depthlab = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });

test('CLI: a run scores its config tasks and sweep adds --task; accuracy at every depth, in the table and --json, with the kept layers', () => {
  const loaded = tinyLanguageModel({ tasks: ['questions.jsonl'], train: { ...TINY_TRAIN, steps: 4, evalEvery: 0, checkpointEvery: 0 } });
  fs.writeFileSync(path.join(loaded.dir, 'questions.jsonl'), ['Call me Ishmael, line 3', 'Some years ago, never'].map((query, i) => JSON.stringify({ query, choices: ['mind', 'sail', 'about'], gold: i })).join('\n'));
  const run = depthlab(loaded.dir, 'run', loaded.file);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /questions acc/);
  assert.match(run.stdout, /questions \(2 questions; 2 with context cut from the left to fit the window\): full acc \d+\.\d ± \d+\.\d%, acc_norm \d+\.\d ± \d+\.\d%; keeping 0,2 acc/);
  const sweep = depthlab(loaded.dir, '--json', 'sweep', loaded.file, '--task', 'moby-dick-cloze');
  assert.equal(sweep.status, 0, sweep.stderr);
  const result = JSON.parse(sweep.stdout.trim().split('\n').at(-1)!);
  assert.deepEqual(result.analysis.tasks.map((task: { name: string; items: number }) => [task.name, task.items]), [['questions', 2], ['moby-dick-cloze', 200]]);
  for (const row of result.analysis.sweep) {
    assert.deepEqual(row.tasks.map((task: { name: string }) => task.name), ['questions', 'moby-dick-cloze']);
    for (const task of row.tasks) assert.ok(task.acc >= 0 && task.acc <= 1 && task.accStdErr >= 0);
  }
  const missing = depthlab(loaded.dir, 'sweep', loaded.file, '--task', 'nope.jsonl');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.jsonl/);
});

test('tasks need a next-token model: a classifier config and a masked-LM folder are refused in one line', () => {
  const classifier = path.join(workspace(), 'c.depthlab.json');
  fs.writeFileSync(classifier, JSON.stringify({ task: 'classification', tasks: ['moby-dick-cloze'] }));
  assert.throws(() => loadConfig(classifier), (error: Error) => error instanceof UserError && /tasks: multiple-choice tasks are scored by a language model's next-token loss/.test(error.message));
  const bert = depthlab(workspace(), 'analyze', path.join(import.meta.dirname, 'fixtures/huggingface/bert'), '--tokens', '256', '--task', 'moby-dick-cloze');
  assert.equal(bert.status, 2);
  assert.match(bert.stderr, /tasks are scored by a next-token language model; bert is a masked language model/);
});

test('a config names its task files where the editor can mark one that is missing', () => {
  const dir = workspace();
  const file = path.join(dir, 'm.depthlab.json');
  const problems = configProblems(JSON.stringify({ tasks: ['moby-dick-cloze', 'missing.jsonl'] }, null, 2), file, (f) => !f.endsWith('missing.jsonl'));
  assert.deepEqual(problems.map((p) => [p.location.path, p.message]), [['tasks[1]', 'file not found: missing.jsonl (relative to m.depthlab.json)']]);
});

const TASK_FIXTURES = path.join(__dirname, 'fixtures', 'tasks');
const SHAPE_FIXTURES: Array<[string, string]> = [['mmlu', 'mmlu'], ['arc', 'arc'], ['hellaswag', 'hellaswag'], ['piqa', 'piqa'], ['winogrande', 'winogrande'], ['own-fields', 'named fields']];

test("the Hub's parquet files (written by pyarrow: scripts/fixtures/tasks.py) read as the same questions as the same rows in JSON Lines, shape by shape", async () => {
  for (const [name, shape] of SHAPE_FIXTURES) {
    const [parquet, lines] = await Promise.all([readTaskFile(path.join(TASK_FIXTURES, `${name}-parquet.parquet`)), readTaskFile(path.join(TASK_FIXTURES, `${name}-rows.jsonl`))]);
    assert.deepEqual([parquet.shape, lines.shape], [shape, shape]);
    assert.deepEqual(parquet.items, lines.items, name);
  }
  const winogrande = await readTaskFile(path.join(TASK_FIXTURES, 'winogrande-rows.jsonl'));
  assert.deepEqual(winogrande.items[0], {
    context: '',
    contexts: ['The whale was bigger than the boat because the whale', 'The whale was bigger than the boat because the boat'],
    continuations: [' was grown.', ' was grown.'],
    normLengths: [10, 10],
    gold: 0,
  });
  const piqa = await readTaskFile(path.join(TASK_FIXTURES, 'piqa-rows.jsonl'));
  assert.equal(piqa.items[1].context, 'Question: To tie a ship to the dock,\nAnswer:');
});

test("a user's own field names: context/query/question/prompt, choices/continuations/endings/options, gold/label/answer/answerKey; a file that names a role twice is refused naming the fields", async () => {
  const read = (row: object) => readTaskFile(taskFile([row]));
  assert.deepEqual((await read({ context: 'The sky is', choices: ['blue', 'green'], gold: 0 })).items[0], { context: 'The sky is', continuations: [' blue', ' green'], normLengths: [4, 5], gold: 0 });
  assert.equal((await read({ prompt: 'p', options: ['a', 'b', 'c'], answer: 'C' })).items[0].gold, 2, 'a letter');
  assert.equal((await read({ question: 'q', endings: ['up', 'down'], label: 'down' })).items[0].gold, 1, "the right choice's text");
  await assert.rejects(read({ question: 'q', prompt: 'p', choices: ['a', 'b'], gold: 0 }), /:1: ambiguous: question and prompt could each be the context; keep one \(fields found: question, prompt, choices, gold\)/);
  await assert.rejects(read({ context: 'c', choices: ['a', 'b'], answer: 'maybe' }), /:1: answer "maybe" is neither an index, a letter nor one of the choices/);
});

test("a dataset split in the Hugging Face cache is a task (org/name:split, a config's folder leading it), read from its parquet files; the cache lacking it is one line", async () => {
  const cache = path.join(workspace(), 'hub');
  const snapshot = path.join(cache, 'datasets--acme--quiz', 'snapshots', 'c0ffee');
  for (const config of ['easy', 'hard']) {
    fs.mkdirSync(path.join(snapshot, config), { recursive: true });
    fs.copyFileSync(path.join(TASK_FIXTURES, 'arc-parquet.parquet'), path.join(snapshot, config, 'validation-00000-of-00001.parquet'));
  }
  fs.copyFileSync(path.join(TASK_FIXTURES, 'mmlu-parquet.parquet'), path.join(snapshot, 'easy', 'test-00000-of-00001.parquet'));
  fs.mkdirSync(path.join(cache, 'datasets--acme--quiz', 'refs'));
  fs.writeFileSync(path.join(cache, 'datasets--acme--quiz', 'refs', 'main'), 'c0ffee');
  const saved = process.env.HF_HUB_CACHE;
  process.env.HF_HUB_CACHE = cache;
  try {
    const base = workspace();
    const easy = await readTaskFile(taskPath('acme/quiz:easy/validation', base));
    assert.deepEqual([easy.name, easy.shape, easy.items.length], ['quiz-easy-validation', 'arc', 3]);
    assert.equal((await readTaskFile(taskPath('acme/quiz:test', base))).shape, 'mmlu');
    await assert.rejects(readTaskFile(taskPath('acme/quiz:validation', base)), /acme\/quiz:validation: split validation is in several configs of acme\/quiz \(easy, hard\); name one: acme\/quiz:easy\/validation/);
    await assert.rejects(readTaskFile(taskPath('acme/quiz:train', base)), /acme\/quiz:train: acme\/quiz has no split train in the cache \(it has easy\/test, easy\/validation, hard\/validation\)/);
    await assert.rejects(readTaskFile(taskPath('acme/other:test', base)), /acme\/other is not in the Hugging Face cache .*; DepthLab never downloads: hf download acme\/other --repo-type dataset/);
  } finally {
    if (saved === undefined) delete process.env.HF_HUB_CACHE;
    else process.env.HF_HUB_CACHE = saved;
  }
});

test('CLI: parquet and JSON Lines of the same rows score the same accuracy at every depth; --limit scores the first questions and says so', () => {
  const dir = workspace();
  const gpt2 = path.join(dir, 'gpt2');
  fs.cpSync(GPT2, gpt2, { recursive: true });
  const args = SHAPE_FIXTURES.flatMap(([name]) => ['--task', path.join(TASK_FIXTURES, `${name}-parquet.parquet`), '--task', path.join(TASK_FIXTURES, `${name}-rows.jsonl`)]);
  const run = spawnSync(process.execPath, [CLI, '--backend', 'wasm', '--json', 'analyze', gpt2, '--tokens', '64', '--window', '16', '--strategies', 'every-other', ...args], { cwd: dir, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const { analysis } = run.stdout.trim().split('\n').map((line) => JSON.parse(line)).find((event) => event.type === 'result');
  for (const row of analysis.sweeps['every-other'] as Array<{ tasks: Array<{ name: string; acc: number; accNorm: number }> }>) {
    const byName = new Map(row.tasks.map((task) => [task.name, task]));
    for (const [name] of SHAPE_FIXTURES) {
      const [parquet, lines] = [byName.get(`${name}-parquet`)!, byName.get(`${name}-rows`)!];
      assert.deepEqual([parquet.acc, parquet.accNorm], [lines.acc, lines.accNorm], name);
    }
  }
  const limited = spawnSync(process.execPath, [CLI, '--backend', 'wasm', '--json', 'analyze', gpt2, '--tokens', '64', '--window', '16', '--strategies', 'every-other', '--task', path.join(TASK_FIXTURES, 'mmlu-rows.jsonl'), '--limit', '2'], { cwd: dir, encoding: 'utf8' });
  assert.equal(limited.status, 0, limited.stderr);
  const events = limited.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.ok(events.some((event) => event.type === 'notice' && /^task mmlu-rows: 2 of 3 \(--limit\) questions/.test(event.text)));
  assert.equal(events.find((event) => event.type === 'result').analysis.tasks[0].items, 2);
});
