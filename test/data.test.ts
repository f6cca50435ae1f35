import { textContent } from '../src/core/data/textContent';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../src/core/config/loadConfig';
import { CharTokenizer, UNK } from '../src/core/data/charTokenizer';
import { loadDataset } from '../src/core/data/loadDataset';
import { ConfigError } from '../src/core/errors';
import { Rng } from '../src/core/random/rng';
import { workspace } from './helpers';

function configIn(dir: string, text: string) {
  const file = path.join(dir, 'x.depthlab.json');
  fs.writeFileSync(file, text);
  return parseConfig(text, file);
}

function dataProblem(dir: string, text: string): { line: number; path: string; message: string } {
  try {
    loadDataset(configIn(dir, text));
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return { line: error.problems[0].location.line, path: error.problems[0].location.path, message: error.problems[0].message };
  }
  assert.fail('data was accepted');
}

test('tokenizer round-trips text and maps unseen characters to <unk>', () => {
  const tokenizer = CharTokenizer.fromText('hello whale');
  assert.equal(tokenizer.decode(tokenizer.encode('whale hello')), 'whale hello');
  assert.equal(tokenizer.encode('Z')[0], UNK);
  assert.deepEqual(new CharTokenizer(tokenizer.vocab).encode('hello'), tokenizer.encode('hello'));
});

test('data problems point at the config field: missing, empty, non-UTF-8, too short', () => {
  const dir = workspace();
  const missing = dataProblem(dir, '{\n "model": {"seqLen": 8},\n "data": {\n  "train": "nope.txt" } }');
  assert.equal(missing.path, 'data.train');
  assert.equal(missing.line, 4);
  assert.match(missing.message, /file not found/);
  fs.writeFileSync(path.join(dir, 'empty.txt'), '');
  assert.match(dataProblem(dir, '{ "data": { "train": "empty.txt" } }').message, /file is empty/);
  fs.writeFileSync(path.join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x63, 0x61, 0x66, 0xe9]));
  assert.match(dataProblem(dir, '{ "data": { "train": "latin1.txt" } }').message, /latin1\.txt is not a text file \(2 of 9 characters not UTF-8\); allowed: UTF-8 text$/);
  fs.writeFileSync(path.join(dir, 'random.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  assert.match(dataProblem(dir, '{ "data": { "train": "random.bin" } }').message, /random\.bin is not a text file \(16 NUL bytes and [\d,]+ of [\d,]+ characters not UTF-8\)/);
  fs.writeFileSync(path.join(dir, 'short.txt'), 'tiny text');
  assert.match(dataProblem(dir, '{ "model": {"seqLen": 64}, "data": { "train": "short.txt" } }').message, /allowed: at least one sequence \(model.seqLen \+ 1 = 65\)/);
});

test('text with a few bytes that are not UTF-8 is still text: read with U+FFFD, counted, and said in the data description', () => {
  const dir = workspace();
  const text = Buffer.concat([Buffer.from('Call me Ishmael. '.repeat(40)), Buffer.from([0xe9]), Buffer.from(' \uFFFD is written here on purpose.')]);
  assert.deepEqual(textContent(text), { text: `${'Call me Ishmael. '.repeat(40)}\uFFFD \uFFFD is written here on purpose.`, notUtf8: 1 });
  fs.writeFileSync(path.join(dir, 'few.txt'), text);
  const dataset = loadDataset(configIn(dir, '{ "model": {"seqLen": 8}, "data": { "train": "few.txt" } }'));
  assert.match(dataset.description, /few\.txt: 1 byte sequence not UTF-8, read as U\+FFFD$/);
  assert.deepEqual(textContent(Buffer.from('\uFEFFplain')), { text: 'plain', notUtf8: 0 });
});

test('language-model split is deterministic and batches are next-character pairs', () => {
  const dir = workspace();
  fs.writeFileSync(path.join(dir, 't.txt'), 'abcdefghijklmnopqrstuvwxyz'.repeat(20));
  const text = '{ "model": {"seqLen": 8}, "data": { "train": "t.txt", "validFraction": 0.25 } }';
  const a = loadDataset(configIn(dir, text));
  const b = loadDataset(configIn(dir, text));
  assert.deepEqual(a.validBatches(4, 2), b.validBatches(4, 2));
  const batch = a.trainBatch(new Rng(1), 3);
  for (let i = 0; i < batch.size * batch.length; i++) {
    if ((i + 1) % batch.length !== 0) assert.equal(batch.targets[i], batch.inputs[i + 1]);
  }
  assert.match(a.description, /390 train \/ 130 valid characters/);
});

test('classification reads JSONL and CSV, with a stratified every-k-th split', () => {
  const dir = workspace();
  const rows = Array.from({ length: 40 }, (_, i) => ({ text: i % 2 ? `buy cheap pills ${i}` : `meeting notes ${i}`, label: i % 2 ? 'spam' : 'ham' }));
  fs.writeFileSync(path.join(dir, 'mail.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
  fs.writeFileSync(path.join(dir, 'mail.csv'), 'text,label\n' + rows.map((r) => `"${r.text}",${r.label}`).join('\n'));
  for (const file of ['mail.jsonl', 'mail.csv']) {
    const dataset = loadDataset(configIn(dir, `{ "task": "classification", "model": {"seqLen": 12}, "data": { "train": "${file}", "validFraction": 0.1 } }`));
    assert.deepEqual(dataset.labels, ['ham', 'spam']);
    const valid = dataset.validBatches(8, 4);
    const labels = valid.flatMap((b) => Array.from(b.targets));
    // Labels alternate in the file: a plain every-10th split would hold out one class only.
    assert.deepEqual(labels.sort(), [0, 0, 1, 1]);
    assert.ok(valid[0].mask!.some((m) => m === 0) || valid[0].mask!.every((m) => m === 1));
  }
  fs.writeFileSync(path.join(dir, 'bad.jsonl'), '{"text": "a", "label": "x"}\nnot json\n');
  const bad = dataProblem(dir, '{ "task": "classification", "data": { "train": "bad.jsonl" } }');
  assert.match(bad.message, /bad.jsonl line 2 is not JSON/);
});
