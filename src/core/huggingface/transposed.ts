/**
 * Tile edge of the blocked transposes. Rows of a layer's matrix are often 8 KiB apart (2,048
 * floats), so every row of a tile falls in the same L1 cache set: 8 rows fit its ways, 32 thrash
 * (a Llama-1B MLP matrix: 10 ns an element at 32, 5 at 8).
 */
const TILE = 8;

/**
 * values [rows, columns] (row-major) transposed to [columns, rows], in tiles, each output row
 * written contiguously. Loading nn.Linear weights this way instead of with tf.transpose: TF.js's
 * wasm Transpose took 14 ns an element, half of a streamed Llama-1B pass.
 */
export function transposed(values: Float32Array, rows: number, columns: number, out: Float32Array = new Float32Array(values.length)): Float32Array {
  return transposedBits(new Uint32Array(values.buffer, values.byteOffset, values.length), rows, columns, 0, out);
}

/**
 * BF16 bits [rows, columns] decoded and transposed in one pass to float32 [columns, rows]: a
 * float32 is the BF16's 16 bits followed by 16 zero bits. A third of the time of decoding, then
 * transposing.
 */
export function transposedBf16(bits: Uint16Array, rows: number, columns: number, out: Float32Array = new Float32Array(bits.length)): Float32Array {
  return transposedBits(bits, rows, columns, 16, out);
}

/** Float32 bit patterns [columns, rows] of `bits` [rows, columns] shifted left by `shift`, written into `out`. */
function transposedBits(bits: Uint16Array | Uint32Array, rows: number, columns: number, shift: number, out: Float32Array): Float32Array {
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < columns; c0 += TILE) {
      const c1 = Math.min(columns, c0 + TILE);
      for (let c = c0; c < c1; c++) {
        const to = c * rows;
        for (let r = r0; r < r1; r++) outBits[to + r] = bits[r * columns + c] << shift;
      }
    }
  }
  return out;
}
