import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import * as tf from '../src/core/backend/tf';
import { loadModelCheckpoint } from '../src/core/checkpoint/modelCheckpoint';
import { readSafetensors } from '../src/core/checkpoint/safetensors';
import { CharTokenizer } from '../src/core/data/charTokenizer';
import type { LayeredModel } from '../src/core/model/layeredModel';
import { PretrainedTokenizer } from '../src/core/data/pretrainedTokenizer';
import { openPretrained } from '../src/core/huggingface/openPretrained';
import { exportJob } from '../src/core/jobs/exportJob';
import { requireCheckpoint } from '../src/core/run/checkpointFiles';
import { train } from '../src/core/train/trainer';
import { tinyLanguageModel, TINY_MODEL, TINY_TRAIN, useWasm } from './helpers';

before(useWasm);

const EXPECTED = path.join(__dirname, 'fixtures', 'gpt2-export', 'expected.json');

/** Logits of one sequence through the given layers (tied head: the stream times the token embedding). */
function logitsOf(model: LayeredModel, head: (x: tf.Tensor2D) => tf.Tensor2D, ids: Int32Array, layers: number[]): Float32Array {
  return tf.tidy(() => {
    const batch = { size: 1, length: ids.length, inputs: ids, targets: ids };
    const stream = model.embed(batch, { training: false });
    for (const layer of layers) stream.x = model.block(stream, layer, { training: false });
    return head(stream.x).dataSync() as Float32Array;
  });
}

/** Train a tiny language model for 8 steps and export layers 0 and 2. */
async function exported(model: Record<string, unknown> = {}) {
  const loaded = tinyLanguageModel({ model: { ...TINY_MODEL, ...model }, train: { ...TINY_TRAIN, steps: 8 } });
  const trained = await train({ loaded, backend: 'wasm' });
  trained.opened.model.dispose();
  return { trained, result: await exportJob({ configFile: loaded.file, layers: [2, 0] }, { backend: 'wasm' }) };
}

/** The exported folder, opened by DepthLab's own GPT-2 reader (the code that opens users' models), computes what layers 0 and 2 of the run computed. */
function assertSameLogits(checkpoint: string, folder: string): void {
  const ours = loadModelCheckpoint(checkpoint);
  const theirs = openPretrained(folder, 'wasm');
  try {
    const ids = ours.tokenizer.encode('Call me Ishmael.'); // seqLen 16 characters
    const expected = logitsOf(ours.model, (x) => ours.model.logits(x), ids, [0, 2]);
    const got = logitsOf(theirs.model, (x) => theirs.model.logits(x), ids, [0, 1]);
    assert.equal(got.length, expected.length);
    const largest = got.reduce((max, value, i) => Math.max(max, Math.abs(value - expected[i])), 0);
    assert.ok(largest < 1e-4, `largest logit difference ${largest}`);
  } finally {
    ours.model.dispose();
    theirs.model.dispose();
  }
}

test('a language model exports as a GPT-2 folder: names, shapes and config as transformers expects, the same logits, the same tokens', async () => {
  const { trained, result } = await exported();
  const folder = result.huggingFaceFolder!;
  assert.equal(folder, path.join(result.dir, 'huggingface'));
  assert.ok(!fs.existsSync(path.join(result.dir, 'hf-config.json')), 'no fragment when the real thing is there');

  // What transformers reads, against committed expectations (Conv1D weights [in, out], lm_head as nn.Linear [out, in]).
  const weights = readSafetensors(path.join(folder, 'model.safetensors'));
  const actual = {
    config: JSON.parse(fs.readFileSync(path.join(folder, 'config.json'), 'utf8')),
    tensors: Object.fromEntries([...weights.tensors].map(([name, tensor]) => [name, tensor.shape]).sort(([a], [b]) => String(a).localeCompare(String(b)))),
    files: fs.readdirSync(folder).sort(),
  };
  assert.deepEqual(actual, JSON.parse(fs.readFileSync(EXPECTED, 'utf8')));
  assertSameLogits(requireCheckpoint(trained.run).model, folder);

  // The tokenizer: DepthLab's ids for every character, <unk> for one it has never seen.
  const text = 'Call me Ishmael.\nSome years ago — never mind how long';
  const character = new CharTokenizer(JSON.parse(readSafetensors(requireCheckpoint(trained.run).model).metadata.vocab));
  assert.deepEqual([...PretrainedTokenizer.open(folder).encode(text)], [...character.encode(text)]);
  assert.ok(character.encode('—')[0] === 1, 'the dash is unknown to this vocabulary');
});

test('a tied head exports with tie_word_embeddings and no lm_head; an old head with a bias exports as a fragment', async () => {
  const tied = await exported({ tiedHead: true });
  const folder = tied.result.huggingFaceFolder!;
  assert.equal(JSON.parse(fs.readFileSync(path.join(folder, 'config.json'), 'utf8')).tie_word_embeddings, true);
  assert.ok(!readSafetensors(path.join(folder, 'model.safetensors')).tensors.has('lm_head.weight'));
  assertSameLogits(requireCheckpoint(tied.trained.run).model, folder);

  const biased = await exported({ headBias: true });
  assert.equal(biased.result.huggingFaceFolder, undefined);
  assert.match(JSON.parse(fs.readFileSync(path.join(biased.result.dir, 'hf-config.json'), 'utf8')).note, /^A fragment, not a loadable config/);
});

test('a classifier exports with hf-config.json that says it is a fragment', async () => {
  const text = Array.from({ length: 120 }, (_, i) => JSON.stringify({ text: i % 2 ? 'free money now' : 'meeting at noon', label: i % 2 ? 'spam' : 'ham' })).join('\n');
  const loaded = tinyLanguageModel({ task: 'classification', data: { train: 'data.jsonl' }, train: { ...TINY_TRAIN, steps: 2 } });
  fs.writeFileSync(path.join(loaded.dir, 'data.jsonl'), text);
  const trained = await train({ loaded, backend: 'wasm' });
  trained.opened.model.dispose();
  const result = await exportJob({ configFile: loaded.file, layers: [0, 1] }, { backend: 'wasm' });
  assert.equal(result.huggingFaceFolder, undefined);
  const fragment = JSON.parse(fs.readFileSync(path.join(result.dir, 'hf-config.json'), 'utf8'));
  assert.match(fragment.note, /^A fragment, not a loadable config/);
  assert.equal(fragment.num_hidden_layers, 2);
});
