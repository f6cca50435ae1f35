/** Tile edge of the blocked transpose: 32 × 32 floats read and written stay in the L1 cache. */
const TILE = 32;

/**
 * values [rows, columns] (row-major) transposed to [columns, rows], in tiles. Loading nn.Linear
 * weights this way instead of with tf.transpose: TF.js's wasm Transpose took 14 ns an element,
 * half of a streamed Llama-1B pass.
 */
export function transposed(values: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < columns; c0 += TILE) {
      const c1 = Math.min(columns, c0 + TILE);
      for (let r = r0; r < r1; r++) {
        const from = r * columns;
        for (let c = c0; c < c1; c++) out[c * rows + r] = values[from + c];
      }
    }
  }
  return out;
}
