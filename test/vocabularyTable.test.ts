import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as tf from '../src/core/backend/tf';
import { encodeRawSafetensors } from '../src/core/checkpoint/safetensors';
import { f32ToBf16, bf16ToF32 } from '../src/core/huggingface/halfFloats';
import { ReadBuffers } from '../src/core/huggingface/readBuffers';
import { VocabularyTable } from '../src/core/huggingface/vocabularyTable';
import { openWeights } from '../src/core/huggingface/weightFiles';
import { crossEntropy } from '../src/core/ops/crossEntropy';
import { useWasm } from './helpers';

const ROWS = 37;
const COLUMNS = 8;
// BF16 values, so that the table read from a BF16 file holds exactly these.
const DATA = bf16ToF32(f32ToBf16(Float32Array.from({ length: ROWS * COLUMNS }, (_, i) => Math.sin(i))));
const IDS = Int32Array.from([0, 11, 12, 23, 24, 36, 5, 36]);
const x = () => tf.tensor2d(Float32Array.from({ length: IDS.length * COLUMNS }, (_, i) => Math.cos(i) * 3), [IDS.length, COLUMNS]);
const bias = () => tf.tensor1d(Float32Array.from({ length: ROWS }, (_, i) => i / 50));
/** 12 rows of 8 floats a block: 37 rows become blocks of 12, 12, 12 and 1 (padded to 4). */
const BLOCK_BYTES = 12 * COLUMNS * 4;

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string) {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `${what}[${i}]: ${actual[i]} against ${expected[i]}`);
}

/** Every form of the table against one resident block: rows looked up, the product, the loss (with and without bias). */
function assertSameAsWhole(table: VocabularyTable, whole: VocabularyTable) {
  assert.deepEqual(table.lookup(IDS).dataSync(), whole.lookup(IDS).dataSync());
  const product = table.transposedProduct(x(), bias());
  assert.deepEqual(product.shape, [IDS.length, ROWS]);
  close(product.dataSync(), whole.transposedProduct(x(), bias()).dataSync(), 1e-5, 'logits');
  close([table.crossEntropy(x(), IDS).dataSync()[0]], [whole.crossEntropy(x(), IDS).dataSync()[0]], 1e-6, 'loss');
  close([table.crossEntropy(x(), IDS, bias()).dataSync()[0]], [whole.crossEntropy(x(), IDS, bias()).dataSync()[0]], 1e-6, 'loss with bias');
}

test('a vocabulary table in blocks (a GPU binding each, or read from the file a block at a time) looks up, multiplies and scores as one block does', async () => {
  await useWasm();
  const whole = VocabularyTable.fromRows(DATA, ROWS, COLUMNS);
  assert.equal(whole.blockCount, 1);
  close(whole.lookup(IDS).dataSync().slice(5 * COLUMNS, 6 * COLUMNS), DATA.subarray(36 * COLUMNS, 37 * COLUMNS), 0, 'row 36');
  // The one-block loss is the engine's crossEntropy on the whole logits.
  assert.equal(whole.crossEntropy(x(), IDS).dataSync()[0], crossEntropy(whole.transposedProduct(x()), IDS).dataSync()[0]);

  const blocks = VocabularyTable.fromRows(DATA, ROWS, COLUMNS, BLOCK_BYTES);
  assert.equal(blocks.blockCount, 4);
  assertSameAsWhole(blocks, whole);

  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-table-'));
  fs.writeFileSync(path.join(folder, 'model.safetensors'), encodeRawSafetensors([{ name: 'table', dtype: 'BF16', shape: [ROWS, COLUMNS], bytes: new Uint8Array(f32ToBf16(DATA).buffer) }]));
  const inFile = VocabularyTable.inFile(openWeights(folder), 'table', undefined, BLOCK_BYTES);
  assert.equal(inFile.blockCount, 4);
  assertSameAsWhole(inFile, whole);
  // Every block read into the same two arrays, as a streamed model on wasm reads them.
  assertSameAsWhole(VocabularyTable.inFile(openWeights(folder), 'table', new ReadBuffers(), BLOCK_BYTES), whole);
  assertSameAsWhole(VocabularyTable.inFile(openWeights(folder), 'table'), whole);
  whole.dispose();
  blocks.dispose();
});
