import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import * as tf from '../src/core/backend/tf';
import { selectBackend } from '../src/core/backend/selectBackend';
import { readSafetensors } from '../src/core/checkpoint/safetensors';
import { openPretrained } from '../src/core/huggingface/openPretrained';
import type { Batch } from '../src/core/model/layeredModel';

const FIXTURES = path.join(__dirname, 'fixtures', 'huggingface');
const FAMILIES = ['gpt2', 'llama', 'mistral', 'qwen2', 'bert', 'roberta', 'distilbert'];

function maxDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

for (const family of FAMILIES) {
  test(`${family}: logits and the stream entering every layer match transformers to 1e-4`, async () => {
    await selectBackend('wasm');
    const folder = path.join(FIXTURES, family);
    const reference = readSafetensors(path.join(folder, 'reference.safetensors')).tensors;
    const expected = require(path.join(folder, 'reference.json')) as { text: string; ids: number[] };
    const { model, tokenizer } = openPretrained(folder, 'wasm');
    try {
      assert.deepEqual(Array.from(tokenizer.encode(expected.text)), expected.ids, 'token ids equal the Python tokenizer');
      const ids = Int32Array.from(expected.ids);
      const batch: Batch = { size: 1, length: ids.length, inputs: ids, targets: ids };
      const streams = reference.get('streams')!;
      const logits = tf.tidy(() => {
        const stream = model.embed(batch, { training: false });
        const seen = [stream.x];
        for (let layer = 0; layer < model.layers; layer++) seen.push((stream.x = model.block(stream, layer, { training: false })));
        const stacked = tf.stack(seen).dataSync() as Float32Array;
        assert.ok(maxDifference(stacked, streams.data) < 1e-4, `streams differ by ${maxDifference(stacked, streams.data)}`);
        return model.logits(stream.x).dataSync() as Float32Array;
      });
      const difference = maxDifference(logits, reference.get('logits')!.data);
      assert.ok(difference < 1e-4, `logits differ by ${difference}`);
    } finally {
      model.dispose();
    }
  });
}
