import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '../src/core/backend/tf';
import type { LayeredModel, ResidualStream } from '../src/core/model/layeredModel';
import type { Batch } from '../src/core/data/batch';
import { contiguousBlock } from '../src/core/prune/contiguousBlock';
import { searchOnValid } from '../src/core/prune/searchOnValid';
import { angularDistances } from '../src/core/statistics/angularDistance';
import { readSafetensors } from '../src/core/checkpoint/safetensors';
import { healJob } from '../src/core/jobs/healJob';
import { analyzeJob } from '../src/core/jobs/analyzeJob';
import { depthTable } from '../src/core/report/depthTable';
import { requireCheckpoint } from '../src/core/run/checkpointFiles';
import { train } from '../src/core/train/trainer';
import { tinyLanguageModel, TINY_TRAIN, useWasm } from './helpers';

before(useWasm);

/** A model whose layer l rotates the stream by angles[l] in the plane of its first two coordinates: distances are known exactly. */
function rotatingModel(angles: number[]): LayeredModel {
  return {
    layers: angles.length,
    embed: (batch: Batch) => ({ x: tf.tensor2d([[1, 0, 0]], [1, 3]), batch, additiveMask: tf.zeros([1]) }),
    block: ({ x }: ResidualStream, layer: number) => {
      const [c, s] = [Math.cos(angles[layer]), Math.sin(angles[layer])];
      return tf.matMul(x, tf.tensor2d([[c, s, 0], [-s, c, 0], [0, 0, 1]])) as tf.Tensor2D;
    },
    readout: () => ({ loss: tf.scalar(0), count: 1 }),
    layerWeights: () => [],
    dispose: () => undefined,
  };
}
const batch: Batch = { size: 1, length: 1, inputs: Int32Array.of(0), targets: Int32Array.of(0) };

test('angular distance: 0 for layers that leave the stream alone, arccos(cos)/π for the angle a block turns it', () => {
  const still = angularDistances(rotatingModel([0, 0, 0]), [batch]);
  for (const row of still) for (const d of row) assert.ok(Math.abs(d) < 1e-3, `identical streams: ${d}`);
  const turning = angularDistances(rotatingModel([Math.PI / 2, 0, Math.PI / 4]), [batch]);
  assert.ok(Math.abs(turning[0][0] - 0.5) < 1e-3, 'a quarter turn is 1/2');
  assert.ok(Math.abs(turning[0][1]) < 1e-3, 'layer 1 does nothing');
  assert.ok(Math.abs(turning[2][0] - 0.75) < 1e-3, 'three quarters of a half turn over the whole model');
  assert.deepEqual(turning.map((row) => row.length), [3, 2, 1]);
});

test('contiguous-block drops the n-layer block whose ends are closest; search-on-valid can keep the first and last layers', () => {
  const turning = angularDistances(rotatingModel([Math.PI / 2, 0, 0, Math.PI / 4]), [batch]);
  assert.deepEqual(contiguousBlock(4, 2, turning), [0, 3], 'layers 1 and 2 turn nothing');
  // A loss that prefers dropping the first and last layers: protected, they stay.
  const lossOf = (layers: number[]) => (layers.includes(0) ? 5 : 0) + (layers.includes(3) ? 5 : 0) + layers.length * 0.01;
  assert.deepEqual(searchOnValid(4, (candidates) => ({ losses: candidates.map(lossOf) })).byDepth[2], [1, 2]);
  const protectedSearch = searchOnValid(4, (candidates) => ({ losses: candidates.map(lossOf) }), { protectEnds: true }).byDepth;
  assert.deepEqual(protectedSearch[2], [0, 3]);
  assert.equal(protectedSearch[1].length, 1, 'at depth 1 one of the ends must go');
});

test('heal finetunes the kept sub-network: its loss falls on a fixed seed, and part ffn changes only the kept feed-forward weights', async () => {
  const loaded = tinyLanguageModel({ train: { ...TINY_TRAIN, steps: 20 } });
  const trained = await train({ loaded, backend: 'wasm' });
  trained.opened.model.dispose();
  const healed = await healJob({ configFile: loaded.file, layers: [0, 3], steps: 30, part: 'all' }, { backend: 'wasm' });
  assert.ok(healed.after.loss < healed.before.loss - 0.01, `loss ${healed.before.loss} → ${healed.after.loss}`);
  assert.deepEqual(healed.after.layers, [0, 3]);

  const ffn = await healJob({ configFile: loaded.file, layers: [0, 3], steps: 5, part: 'ffn' }, { backend: 'wasm' });
  const original = readSafetensors(requireCheckpoint(trained.run).model).tensors;
  const changed = readSafetensors(ffn.checkpoint).tensors;
  const differs = (name: string) => original.get(name)!.data.some((value, i) => value !== changed.get(name)!.data[i]);
  assert.ok(differs('layers.0.ffn.fc1.weight') && differs('layers.3.ffn.fc2.weight'));
  assert.ok(!differs('layers.0.attn.qkv.weight') && !differs('layers.1.ffn.fc1.weight') && !differs('embed.tokens.weight') && !differs('final_ln.weight'));

  // Both heals are kept with the run; the sweep table shows the newest one's loss on its row.
  const { analysis, healed: records } = await analyzeJob({ configFile: loaded.file, strategy: 'first-k' }, { backend: 'wasm' });
  assert.deepEqual(records.map((r) => [r.keep, r.part, r.steps]), [[[0, 3], 'all', 30], [[0, 3], 'ffn', 5]]);
  const rows = [analysis.sweep[0], { ...analysis.sweep[2], layers: [0, 3] }, analysis.sweep[3]];
  const table = depthTable('language-model', rows, records).split('\n');
  assert.match(table[0], /healed$/);
  const healedAt = table[0].indexOf('healed');
  assert.equal(table[3].slice(healedAt - 2, healedAt + 6).trim(), ffn.after.loss.toFixed(4), table.join('\n'));
  assert.equal(table[2].slice(healedAt - 2, healedAt + 6).trim(), '', `rows not healed leave the column empty: ${table[2]}`);
  assert.doesNotMatch(depthTable('language-model', rows), /healed/, 'no column without heals');
});
