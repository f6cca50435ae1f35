import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModelCheckpoint } from '../src/core/checkpoint/modelCheckpoint';
import { decodeSafetensors, encodeSafetensors, readSafetensors } from '../src/core/checkpoint/safetensors';
import { loadDataset } from '../src/core/data/loadDataset';
import { evaluate } from '../src/core/evaluate/evaluate';
import { exportRun } from '../src/core/export/exportRun';
import { train } from '../src/core/train/trainer';
import { tinyLanguageModel, useWasm } from './helpers';

before(useWasm);

test('safetensors encode/decode round trip, header aligned to 8 bytes', () => {
  const tensors = new Map([
    ['a.weight', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }],
    ['b', { shape: [1], data: Float32Array.from([-0.5]) }],
  ]);
  const bytes = encodeSafetensors({ tensors, metadata: { note: 'hi' } });
  const headerLength = Number(Buffer.from(bytes).readBigUInt64LE(0));
  assert.equal(headerLength % 8, 0);
  const header = JSON.parse(Buffer.from(bytes).subarray(8, 8 + headerLength).toString());
  assert.deepEqual(header['a.weight'], { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
  const back = decodeSafetensors(bytes);
  assert.deepEqual(back.metadata, { note: 'hi' });
  assert.deepEqual(Array.from(back.tensors.get('a.weight')!.data), [1, 2, 3, 4, 5, 6]);
});

for (const shareLayersEvery of [1, 2]) {
  test(`pruned export renumbers layers and computes exactly the kept sub-network (shareLayersEvery ${shareLayersEvery})`, async () => {
    const loaded = tinyLanguageModel({ model: { layers: 4, dModel: 16, heads: 2, ffn: 32, seqLen: 16, shareLayersEvery } });
    const outcome = await train({ loaded, backend: 'wasm' });
    try {
      const keep = [1, 3];
      const batches = outcome.opened.dataset.validBatches(4, 2);
      const expected = evaluate(outcome.opened.model, batches, keep).loss;
      const result = exportRun(outcome.run, keep, loaded.file);
      const names = [...readSafetensors(result.checkpoint).tensors.keys()];
      assert.ok(names.includes('layers.0.attn.qkv.weight') && names.includes('layers.1.ffn.fc2.weight'));
      assert.ok(!names.some((name) => /^layers\.[2-9]\./.test(name)), names.join(' '));
      const qkv = readSafetensors(result.checkpoint).tensors.get('layers.0.attn.qkv.weight')!;
      assert.deepEqual(qkv.shape, [48, 16], 'nn.Linear layout [out, in]');
      const pruned = loadModelCheckpoint(result.checkpoint);
      try {
        assert.equal(pruned.model.layers, 2);
        assert.equal(pruned.meta.config.layersToKeep, undefined);
        const actual = evaluate(pruned.model, batches, [0, 1]).loss;
        assert.ok(Math.abs(actual - expected) < 1e-5, `${actual} vs ${expected}`);
      } finally {
        pruned.model.dispose();
      }
      const exportedConfig = JSON.parse(fs.readFileSync(result.config, 'utf8'));
      assert.equal(exportedConfig.model.layers, 2);
      assert.equal(fs.existsSync(path.resolve(result.dir, exportedConfig.data.train)), true);
      assert.match(fs.readFileSync(path.join(result.dir, 'fairseq.txt'), 'utf8'), /--decoder-layers-to-keep 1,3/);
      // The export's config loads and its data encodes with the checkpoint vocabulary.
      assert.ok(loadDataset({ ...loaded, config: exportedConfig, dir: result.dir }, pruned.tokenizer).validBatches(4, 1).length > 0);
    } finally {
      outcome.opened.model.dispose();
    }
  });
}
