import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { selectBackend } from '../src/core/backend/selectBackend';
import * as tf from '../src/core/backend/tf';
import { openPretrained } from '../src/core/huggingface/openPretrained';
import { matMul, matMulTransposedB } from '../src/core/ops/matMul';
import { FIXTURE_FAMILIES } from './helpers';

const FIXTURES = path.join(__dirname, 'fixtures', 'huggingface');
const BACKENDS = ['wasm', 'onnxruntime'] as const;

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string) {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} against ${expected[i]}`);
}

test("DepthLab's products differentiate as TF.js's own: a·b, aᵀ·b and x·wᵀ over a table's first rows, on wasm's kernel and on onnxruntime's", async () => {
  for (const backend of BACKENDS) {
    await selectBackend(backend);
    const values = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);
    const [a, b, at, dy] = [values([5, 6], 1), values([6, 7], 2), values([6, 5], 3), values([5, 7], 4)];
    const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => matMul(x, y))([a, b], dy);
    const theirs = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y))([a, b], dy);
    ours.forEach((grad, i) => close(grad.dataSync(), theirs[i].dataSync(), 1e-5, `${backend} a·b d${'ab'[i]}`));
    const oursT = tf.grads((x: tf.Tensor, y: tf.Tensor) => matMul(x, y, true))([at, b.slice([0, 0], [6, 7])], dy);
    const theirsT = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, true))([at, b], dy);
    oursT.forEach((grad, i) => close(grad.dataSync(), theirsT[i].dataSync(), 1e-5, `${backend} aᵀ·b d${'ab'[i]}`));
    // A table of 8 rows padded to 12: the padding gets no gradient, and x's comes from the 8 alone.
    const table = tf.concat([values([8, 6], 5), tf.zeros([4, 6])]);
    const x = values([5, 6], 6);
    const [dx, dw] = tf.grads((x: tf.Tensor, w: tf.Tensor) => matMulTransposedB(x as tf.Tensor2D, w as tf.Tensor2D, 8))([x, table], values([5, 8], 7));
    const [expectedX, expectedW] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.matMul(x, w.slice([0, 0], [8, 6]), false, true))([x, table], values([5, 8], 7));
    close(dx.dataSync(), expectedX.dataSync(), 1e-5, `${backend} x·wᵀ dx`);
    close(dw.dataSync(), expectedW.dataSync(), 1e-5, `${backend} x·wᵀ dw`);
  }
});

test("every decoder family's loss differentiates in the stream between its layers, matching a central difference", async () => {
  const ids = Int32Array.from([1, 40, 41, 42, 43, 7, 9, 11]);
  const batch = { size: 1, length: 7, inputs: ids.slice(0, 7), targets: ids.slice(1, 8) };
  for (const backend of BACKENDS) {
    await selectBackend(backend);
    for (const family of FIXTURE_FAMILIES) {
      const { model } = openPretrained(path.join(FIXTURES, family), backend);
      try {
        if (model.objective !== 'causal-lm') continue;
        tf.tidy(() => {
          const stream = model.embed(batch, { training: false });
          const entering = model.block(stream, 0, { training: false });
          const loss = (x: tf.Tensor) => model.readout(model.block({ ...stream, x: x as tf.Tensor2D }, 1, { training: false }), batch).loss;
          const direction = tf.randomUniform(entering.shape, -1, 1, 'float32', 8);
          const analytic = tf.grad(loss)(entering).mul(direction).sum().dataSync()[0];
          const step = 1e-2;
          const numeric = (loss(entering.add(direction.mul(step))).dataSync()[0] - loss(entering.sub(direction.mul(step))).dataSync()[0]) / (2 * step);
          assert.ok(Math.abs(analytic - numeric) <= 2e-3 * Math.max(1, Math.abs(numeric)), `${backend} ${family}: ${analytic} against ${numeric}`);
        });
      } finally {
        model.dispose();
      }
    }
  }
});
