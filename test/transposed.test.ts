import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transposed } from '../src/core/huggingface/transposed';

test('the tiled transpose equals the element-by-element one, on shapes off the tile grid', () => {
  for (const [rows, columns] of [[1, 1], [37, 70], [64, 32], [33, 1], [1, 65]]) {
    const values = Float32Array.from({ length: rows * columns }, (_, i) => i * 0.5 - 7);
    const expected = new Float32Array(rows * columns);
    for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) expected[c * rows + r] = values[r * columns + c];
    assert.deepEqual(transposed(values, rows, columns), expected, `${rows} × ${columns}`);
  }
});
