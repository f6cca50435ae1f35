import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tf from '../src/core/backend/tf';
import { linear } from '../src/core/backend/linear';
import { oneHotFloat } from '../src/core/backend/oneHot';
import { useWasm } from './helpers';

before(useWasm);

function close(a: ArrayLike<number>, b: ArrayLike<number>, tolerance = 1e-4) {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tolerance * (1 + Math.abs(b[i])), `index ${i}: ${a[i]} vs ${b[i]}`);
}

test('linear fast path: value and gradients equal plain tf.matMul', () => {
  const x = tf.randomNormal([37, 19], 0, 1, 'float32', 1) as tf.Tensor2D;
  const w = tf.randomNormal([19, 23], 0, 1, 'float32', 2) as tf.Tensor2D;
  const dy = tf.randomNormal([37, 23], 0, 1, 'float32', 3);
  const fast = tf.grads((a: tf.Tensor, b: tf.Tensor) => linear(a as tf.Tensor2D, b as tf.Tensor2D).mul(dy).sum())([x, w]);
  const plain = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D).mul(dy).sum())([x, w]);
  close(linear(x, w).dataSync(), tf.matMul(x, w).dataSync());
  close(fast[0].dataSync(), plain[0].dataSync());
  close(fast[1].dataSync(), plain[1].dataSync());
});

test('one-hot rows are real float ones on wasm', () => {
  const values = oneHotFloat(Int32Array.from([2, 0, 1]), 3);
  assert.equal(values.dtype, 'float32');
  assert.deepEqual(Array.from(values.dataSync()), [0, 0, 1, 1, 0, 0, 0, 1, 0]);
});
