import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '../src/core/backend/tf';
import { VocabularyTable } from '../src/core/huggingface/vocabularyTable';
import { useWasm } from './helpers';

test('a vocabulary table cut into blocks (one GPU binding each) looks up and multiplies exactly as one block', async () => {
  await useWasm();
  const rows = 37;
  const columns = 8;
  const data = Float32Array.from({ length: rows * columns }, (_, i) => Math.sin(i));
  const whole = VocabularyTable.fromRows(data, rows, columns);
  // 12 rows of 8 floats per block: 37 rows become blocks of 12, 12, 12 and 1 (padded to 4).
  const blocked = VocabularyTable.fromRows(data, rows, columns, 12 * columns * 4);
  assert.equal(whole.blockCount, 1);
  assert.equal(blocked.blockCount, 4);
  const ids = Int32Array.from([0, 11, 12, 23, 24, 36, 5, 36]);
  assert.deepEqual(blocked.lookup(ids).dataSync(), whole.lookup(ids).dataSync());
  assert.deepEqual(Array.from(whole.lookup(ids).dataSync().slice(5 * columns, 6 * columns)), Array.from(data.subarray(36 * columns, 37 * columns)));
  const x = tf.tensor2d(Float32Array.from({ length: 3 * columns }, (_, i) => Math.cos(i)), [3, columns]);
  const product = blocked.transposedProduct(x);
  assert.deepEqual(product.shape, [3, rows]);
  const expected = whole.transposedProduct(x).dataSync();
  product.dataSync().forEach((value, i) => assert.ok(Math.abs(value - expected[i]) < 1e-5, `logit ${i}`));
  whole.dispose();
  blocked.dispose();
});
