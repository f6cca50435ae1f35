import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFloats } from '../src/core/huggingface/halfFloats';
import { transposed, transposedBf16 } from '../src/core/huggingface/transposed';

test('the tiled transpose equals the element-by-element one, on shapes off the tile grid', () => {
  for (const [rows, columns] of [[1, 1], [37, 70], [64, 32], [33, 1], [1, 65]]) {
    const values = Float32Array.from({ length: rows * columns }, (_, i) => i * 0.5 - 7);
    const expected = new Float32Array(rows * columns);
    for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) expected[c * rows + r] = values[r * columns + c];
    assert.deepEqual(transposed(values, rows, columns), expected, `${rows} × ${columns}`);
    // Negative values, a view at an offset: bit patterns past 2^31 and byteOffset survive.
    const padded = new Float32Array(rows * columns + 3);
    padded.set(values, 3);
    assert.deepEqual(transposed(padded.subarray(3), rows, columns), expected, `${rows} × ${columns} at an offset`);
  }
});

test('BF16 decoded and transposed in one pass equals decoding, then transposing', () => {
  for (const [rows, columns] of [[1, 1], [37, 70], [64, 32], [9, 17]]) {
    // Every sign, tiny and huge exponents, and the bits of infinities: the decode is bit for bit.
    const bits = Uint16Array.from({ length: rows * columns }, (_, i) => (i * 40503) & 0xffff);
    const decoded = decodeFloats('BF16', new Uint8Array(bits.buffer));
    assert.deepEqual(new Uint32Array(transposedBf16(bits, rows, columns).buffer), new Uint32Array(transposed(decoded, rows, columns).buffer), `${rows} × ${columns}`);
  }
});
