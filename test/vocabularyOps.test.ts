import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '../src/core/backend/tf';
import { crossEntropy } from '../src/core/ops/crossEntropy';
import { gatherRows } from '../src/core/ops/gatherRows';
import { useWasm } from './helpers';

/** The forms the ops replace: a one-hot product for the embedding, one-hot times log-softmax for the loss. */
const oneHotOf = (ids: Int32Array, depth: number) => tf.oneHot(tf.tensor1d(ids, 'int32'), depth).cast('float32') as tf.Tensor2D;
const oneHotLookup = (table: tf.Tensor2D, ids: Int32Array) => tf.matMul(oneHotOf(ids, table.shape[0]), table);
const oneHotLoss = (logits: tf.Tensor2D, targets: Int32Array) => tf.neg(tf.mean(tf.sum(oneHotOf(targets, logits.shape[1]).mul(tf.logSoftmax(logits)), -1)));

function close(a: ArrayLike<number>, b: ArrayLike<number>, tolerance = 1e-5) {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tolerance * (1 + Math.abs(b[i])), `index ${i}: ${a[i]} vs ${b[i]}`);
}

/** Values and gradients of both ops against the one-hot forms, on the active backend. */
function checkAgainstOneHot(vocab: number, width: number) {
  // Repeated ids (their gradients add up) and an id whose row no token uses.
  const ids = Int32Array.from({ length: 37 }, (_, i) => (i * 7) % (vocab - 1));
  const table = tf.randomNormal([vocab, width], 0, 1, 'float32', 1) as tf.Tensor2D;
  const dy = tf.randomNormal([ids.length, width], 0, 1, 'float32', 2);
  close(gatherRows(table, ids).dataSync(), oneHotLookup(table, ids).dataSync());
  const [gather] = tf.grads((t: tf.Tensor) => gatherRows(t as tf.Tensor2D, ids).mul(dy).sum())([table]);
  const [product] = tf.grads((t: tf.Tensor) => oneHotLookup(t as tf.Tensor2D, ids).mul(dy).sum())([table]);
  close(gather.dataSync(), product.dataSync());
  assert.ok(gather.slice([vocab - 1, 0], [1, width]).dataSync().every((v) => v === 0), 'an unused row gets no gradient');

  const logits = tf.randomNormal([ids.length, vocab], 0, 3, 'float32', 3) as tf.Tensor2D;
  close(crossEntropy(logits, ids).dataSync(), oneHotLoss(logits, ids).dataSync());
  const [sparse] = tf.grads((l: tf.Tensor) => crossEntropy(l as tf.Tensor2D, ids).mul(2.5))([logits]);
  const [dense] = tf.grads((l: tf.Tensor) => oneHotLoss(l as tf.Tensor2D, ids).mul(2.5))([logits]);
  close(sparse.dataSync(), dense.dataSync());
}

test('embedding lookup and cross-entropy on wasm (our scatter-add and gradient kernels) equal the one-hot forms, values and gradients', async () => {
  await useWasm();
  assert.ok(tf.getKernel('DepthLabScatterAddRows', 'wasm') && tf.getKernel('DepthLabCrossEntropyGrad', 'wasm'));
  assert.equal(tf.getKernel('UnsortedSegmentSum', 'wasm'), undefined, 'the reason for our kernel: wasm cannot scatter-add');
  tf.tidy(() => {
    checkAgainstOneHot(91, 16);
    checkAgainstOneHot(13, 6);
  });
});

test('the same ops take TF.js\'s own kernels on another backend (cpu, standing in for tfjs-node)', async () => {
  await tf.setBackend('cpu');
  try {
    tf.tidy(() => checkAgainstOneHot(29, 6));
  } finally {
    await tf.setBackend('wasm');
  }
});

test('a 50,257-token vocabulary: the gather and its gradient cost memory in proportion to the table and the tokens, not tokens × vocabulary', async () => {
  await useWasm();
  const vocab = 50_257;
  const ids = Int32Array.from({ length: 256 }, (_, i) => (i * 7919) % vocab);
  const table = tf.variable(tf.zeros<tf.Rank.R2>([vocab, 8]));
  const tableBytes = vocab * 8 * 4;
  const oneHotBytes = ids.length * vocab * 4;
  const { peakBytes, newBytes } = await tf.profile(() => {
    const { value, grads } = tf.tidy(() => tf.variableGrads(() => gatherRows(table, ids).sum() as tf.Scalar, [table]));
    tf.dispose([value, grads]);
  });
  assert.equal(newBytes, 0, 'nothing left behind');
  // The table, its gradient and the step's small tensors; the one-hot form alone would add 51 MB.
  assert.ok(peakBytes < 5 * tableBytes && peakBytes < oneHotBytes / 5, `peak ${peakBytes} bytes`);
  table.dispose();
});
