import * as tf from '../backend/tf';
import { embeddingLookup } from '../ops/embedding';
import { matMulTransposedB } from '../ops/matMul';

/**
 * A vocabulary-sized table [rows, d] (embedding, LM head) held in blocks of rows, each at most one
 * GPU binding (a 128,256 × 4,096 float32 table is 2 GiB, past many adapters' limit); one block
 * where there is no such limit. Blocks are padded to whole rows of 4 (matMulTransposedB's tiles);
 * lookups of real ids never see the padding.
 */
export class VocabularyTable {
  private constructor(
    private readonly blocks: tf.Tensor2D[],
    private readonly blockRows: number,
    readonly rows: number,
  ) {}

  /** Cut `data` ([rows, columns], row-major) into blocks of at most `maxBlockBytes`. */
  static fromRows(data: Float32Array, rows: number, columns: number, maxBlockBytes = Infinity): VocabularyTable {
    const blockRows = Math.min(Math.ceil(rows / 4) * 4, Math.max(4, Math.floor(maxBlockBytes / (4 * columns) / 4) * 4));
    const blocks: tf.Tensor2D[] = [];
    for (let start = 0; start < rows; start += blockRows) {
      const real = Math.min(blockRows, rows - start);
      const padded = Math.ceil(real / 4) * 4;
      const values = new Float32Array(padded * columns);
      values.set(data.subarray(start * columns, (start + real) * columns));
      blocks.push(tf.tensor2d(values, [padded, columns]));
    }
    return new VocabularyTable(blocks, blockRows, rows);
  }

  get blockCount(): number {
    return this.blocks.length;
  }

  /** The rows of `ids`, [ids, d]. */
  lookup(ids: Int32Array): tf.Tensor2D {
    if (this.blocks.length === 1) return embeddingLookup(this.blocks[0], ids);
    return tf.tidy(() =>
      this.blocks
        .map((block, b) => {
          const start = b * this.blockRows;
          const inBlock = (id: number) => id >= start && id < start + this.blockRows;
          const local = Int32Array.from(ids, (id) => (inBlock(id) ? id - start : 0));
          const mask = tf.tensor2d(Float32Array.from(ids, (id) => (inBlock(id) ? 1 : 0)), [ids.length, 1]);
          return embeddingLookup(block, local).mul(mask) as tf.Tensor2D;
        })
        .reduce((sum, part) => sum.add(part)),
    );
  }

  /** x · tableᵀ, [tokens, rows]: the LM head's logits. */
  transposedProduct(x: tf.Tensor2D): tf.Tensor2D {
    if (this.blocks.length === 1) return matMulTransposedB(x, this.blocks[0], this.rows);
    return tf.tidy(() => tf.concat(this.blocks.map((block, b) => matMulTransposedB(x, block, Math.min(this.blockRows, this.rows - b * this.blockRows))), 1));
  }

  dispose(): void {
    for (const block of this.blocks) block.dispose();
  }
}
