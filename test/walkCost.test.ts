import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { walkCost } from '../src/core/evaluate/walkCost';
import { phaseCosts } from '../src/core/analysis/depthMeasurements';
import { windowsOf } from '../src/core/model/batchWindows';
import type { LayeredModel } from '../src/core/model/layeredModel';
import { forwardSharingPrefixes } from '../src/core/model/sharedPrefixes';
import * as tf from '../src/core/backend/tf';
import { everyOther } from '../src/core/prune/everyOther';
import { Transformer } from '../src/core/model/transformer';
import { Rng } from '../src/core/random/rng';
import { TINY_MODEL, useWasm } from './helpers';

before(useWasm);

test('a walk costs one layer evaluation per distinct prefix and one readout per sub-network, as the engine runs it', () => {
  const model = new Transformer({ task: 'language-model', vocabSize: 12, numClasses: 0, model: { ...TINY_MODEL, layers: 5, seqLen: 6, dropout: 0, attentionDropout: 0, shareLayersEvery: 1 } }, new Rng(3));
  const counted = { blocks: 0, readouts: 0 };
  const counting: LayeredModel = {
    layers: model.layers,
    embed: (batch, options) => model.embed(batch, options),
    block: (stream, layer, options) => (counted.blocks++, model.block(stream, layer, options)),
    readout: (x, batch) => (counted.readouts++, model.readout(x, batch)),
    layerWeights: (layer) => model.layerWeights(layer),
    dispose: () => model.dispose(),
  };
  const inputs = Int32Array.from([1, 2, 3, 4, 5, 6]);
  const all = [0, 1, 2, 3, 4];
  const sweep = all.map((i) => everyOther(5, 5 - i));
  const removals = [all, ...all.map((removed) => all.filter((l) => l !== removed))];
  for (const subnetworks of [sweep, removals, [[0, 2], [0, 2], [1]], [[]]]) {
    Object.assign(counted, { blocks: 0, readouts: 0 });
    tf.tidy(() => {
      forwardSharingPrefixes(counting, { size: 1, length: 6, inputs, targets: inputs }, subnetworks);
    });
    const { blocks, readouts } = walkCost(subnetworks);
    assert.deepEqual(counted, { blocks, readouts }, JSON.stringify(subnetworks));
  }
  // The single-layer removals cost N(N + 1)/2 layers, not N².
  assert.deepEqual(phaseCosts(5).importance, { blocks: 15, readouts: 6, layers: 5 });
  assert.equal(walkCost([[0, 2], [0, 3]]).layers, 3);
  model.dispose();
});

test('a batch cut into windows keeps each window its own targets, masked rows and labels', () => {
  const inputs = Int32Array.from([1, 2, 3, 4, 5, 6]);
  const masked = windowsOf({ size: 2, length: 3, inputs, targets: Int32Array.from([20, 40, 60]), predicted: Int32Array.from([1, 3, 5]) });
  assert.deepEqual(masked.map((w) => [[...w.inputs], [...w.predicted!], [...w.targets]]), [[[1, 2, 3], [1], [20]], [[4, 5, 6], [0, 2], [40, 60]]]);
  const labelled = windowsOf({ size: 2, length: 3, inputs, targets: Int32Array.from([0, 1]), mask: Float32Array.from([1, 1, 0, 1, 1, 1]) });
  assert.deepEqual(labelled.map((w) => [[...w.targets], [...w.mask!]]), [[[0], [1, 1, 0]], [[1], [1, 1, 1]]]);
});
