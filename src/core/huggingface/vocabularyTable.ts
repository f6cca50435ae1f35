import * as tf from '../backend/tf';
import { crossEntropy, tokenCrossEntropy } from '../ops/crossEntropy';
import { gatherRows } from '../ops/gatherRows';
import { matMul, matMulTransposedB } from '../ops/matMul';
import { rowMaxSumExp } from '../ops/rowMaxSumExp';
import type { ReadBuffers } from './readBuffers';
import { readFloatRows, type WeightFiles } from './weightFiles';

/** A block of a table a streamed model uses (read at once from the file, or resident): 64 MiB of float32 (8,192 rows of 2,048). */
export const TABLE_BLOCK_BYTES = 64 * 2 ** 20;

/**
 * The most float32 a streamed model keeps of a table: past this (1.05 GB for Llama 3.2's 128,256 ×
 * 2,048) it stays in the file, a block read when used, so no evaluation thread holds a copy of its
 * own. A readout then reads the table again: for Llama-3.2-1B shapes 1.6 s on top of its 5 s product.
 */
export const RESIDENT_TABLE_BYTES = 256 * 2 ** 20;

/** The most float32 logits a readout of several streams holds at once, a block's: 8,192 rows of 8,192 (Llama-3.2-1B), or 16,384 of 4,096 (Llama-3.1-8B). */
export const READOUT_LOGITS_BYTES = 256 * 2 ** 20;

/**
 * A vocabulary-sized table [rows, d] (embedding, LM head), in blocks of rows padded to whole rows
 * of 4 (matMulTransposedB's tiles; lookups of real ids never see the padding). Either resident as
 * tensors, each block at most one GPU binding (a 128,256 × 4,096 float32 table is 2 GiB, past many
 * adapters' limit) or 64 MiB for a streamed model, one block where there is no such limit; or left
 * in the file, in its dtype, a block read when used (the embedding a gather of rows). With several
 * blocks the loss runs block by block with a running log-sum-exp, so tokens × vocabulary logits
 * never exist at once.
 */
export class VocabularyTable {
  /** Blocks read from the file for products so far: a table left there costs one read of it per pass. */
  blocksRead = 0;
  /** Seconds spent reading and converting those blocks: the time budget counts them once a pass. */
  secondsReading = 0;

  private constructor(
    readonly rows: number,
    readonly columns: number,
    private readonly blockRows: number,
    private readonly source: { resident: tf.Tensor2D[] } | { files: WeightFiles; name: string; buffers?: ReadBuffers },
  ) {}

  /** Cut `data` ([rows, columns], row-major) into resident blocks of at most `maxBlockBytes`. */
  static fromRows(data: Float32Array, rows: number, columns: number, maxBlockBytes = Infinity): VocabularyTable {
    const blockRows = blockRowsFor(rows, columns, maxBlockBytes);
    const resident: tf.Tensor2D[] = [];
    for (let start = 0; start < rows; start += blockRows) {
      const real = Math.min(blockRows, rows - start);
      resident.push(paddedBlock(data.subarray(start * columns, (start + real) * columns), real, columns));
    }
    return new VocabularyTable(rows, columns, blockRows, { resident });
  }

  /** The table `name` of the weight files, left there; read `blockBytes` of float32 at a time (through `buffers` where given: readBuffers.ts). */
  static inFile(files: WeightFiles, name: string, buffers?: ReadBuffers, blockBytes = TABLE_BLOCK_BYTES): VocabularyTable {
    const [rows, columns] = files.entries.get(name)!.shape;
    return new VocabularyTable(rows, columns, blockRowsFor(rows, columns, blockBytes), { files, name, buffers });
  }

  /**
   * A table left in the file: how many stream rows one pass over it can read out together, their
   * logits of a block within READOUT_LOGITS_BYTES. Resident: 1, since reading out streams one by one
   * re-reads nothing.
   */
  get passRows(): number {
    return 'files' in this.source ? Math.max(1, Math.floor(READOUT_LOGITS_BYTES / (4 * this.blockRows))) : 1;
  }

  get blockCount(): number {
    return Math.ceil(this.rows / this.blockRows);
  }

  /** The rows of `ids`, [ids, d]. */
  lookup(ids: Int32Array): tf.Tensor2D {
    if ('files' in this.source) return tf.tensor2d(readFloatRows(this.source.files, this.source.name, ids, this.source.buffers), [ids.length, this.columns]);
    const { resident } = this.source;
    if (resident.length === 1) return gatherRows(resident[0], ids);
    return tf.tidy(() =>
      resident
        .map((block, b) => {
          const { local, mask } = idsIn(ids, b * this.blockRows, this.blockRows);
          return gatherRows(block, local).mul(tf.tensor2d(mask, [ids.length, 1])) as tf.Tensor2D;
        })
        .reduce((sum, part) => sum.add(part)),
    );
  }

  /** x · tableᵀ (+ bias), [tokens, rows]: the LM head's logits, whole. */
  transposedProduct(x: tf.Tensor2D, bias?: tf.Tensor1D, softcap?: number): tf.Tensor2D {
    return tf.tidy(() => {
      const blocks = Array.from({ length: this.blockCount }, (_, b) => this.blockLogits(x, b, bias, softcap));
      return blocks.length === 1 ? blocks[0] : tf.concat(blocks, 1);
    });
  }

  /**
   * Mean cross-entropy of the logits x · tableᵀ (+ bias) against `targets`. One resident block: the
   * engine's crossEntropy on the whole logits, as always. Several: the mean of tokenCrossEntropy.
   */
  crossEntropy(x: tf.Tensor2D, targets: Int32Array, bias?: tf.Tensor1D, softcap?: number): tf.Scalar {
    if (this.blockCount === 1) return tf.tidy(() => crossEntropy(this.blockLogits(x, 0, bias, softcap), targets));
    return tf.tidy(() => this.tokenCrossEntropy(x, targets, bias, softcap).mean() as tf.Scalar);
  }

  /**
   * Each row's cross-entropy against its target, [rows]: block by block, a running maximum and sum
   * of exponentials per row and the target's logit picked in its block.
   */
  tokenCrossEntropy(x: tf.Tensor2D, targets: Int32Array, bias?: tf.Tensor1D, softcap?: number): tf.Tensor1D {
    if (this.blockCount === 1) return tf.tidy(() => tokenCrossEntropy(this.blockLogits(x, 0, bias, softcap), targets));
    let running: { max: tf.Tensor1D; sum: tf.Tensor1D; picked: tf.Tensor1D } | undefined;
    for (let b = 0; b < this.blockCount; b++) {
      const previous = running;
      running = tf.tidy(() => {
        const start = b * this.blockRows;
        const logits = this.blockLogits(x, b, bias, softcap);
        const width = logits.shape[1];
        const block = rowMaxSumExp(logits);
        const max = (previous ? tf.maximum(previous.max, block.max) : block.max) as tf.Tensor1D;
        const sum = previous ? previous.sum.mul(previous.max.sub(max).exp()).add(block.sum.mul(block.max.sub(max).exp())) : block.sum;
        const here = pickedLogits(logits, idsIn(targets, start, width));
        return { max, sum: sum as tf.Tensor1D, picked: (previous ? previous.picked.add(here) : here) as tf.Tensor1D };
      });
      if (previous) tf.dispose([previous.max, previous.sum, previous.picked]);
    }
    const { max, sum, picked } = running!;
    const losses = tf.tidy(() => max.add(sum.log()).sub(picked) as tf.Tensor1D);
    tf.dispose([max, sum, picked]);
    return losses;
  }

  /**
   * Each row's cross-entropy, [rows], and the gradient of their sum with respect to x, [rows, d]: in
   * one pass over the table, as flash attention goes over keys. Per block, softmax's numerator
   * (scaled to the running maximum, times the soft cap's derivative 1 − (z/c)²) multiplies the
   * block's rows into a running sum that is rescaled when the maximum grows; the target's row is
   * subtracted in its block. So a table left in the file is read once and no logits outlive their block.
   */
  crossEntropyGradient(x: tf.Tensor2D, targets: Int32Array, bias?: tf.Tensor1D, softcap?: number): { losses: tf.Tensor1D; gradient: tf.Tensor2D } {
    let running: { max: tf.Tensor1D; sum: tf.Tensor1D; picked: tf.Tensor1D; weighted: tf.Tensor2D; target: tf.Tensor2D } | undefined;
    for (let b = 0; b < this.blockCount; b++) {
      const previous = running;
      running = tf.tidy(() =>
        this.withBlock(b, (table, real) => {
          const logits = this.logitsOf(x, table, real, b, bias, softcap);
          const block = rowMaxSumExp(logits);
          const max = (previous ? tf.maximum(previous.max, block.max) : block.max) as tf.Tensor1D;
          const rescale = previous ? previous.max.sub(max).exp() : undefined;
          const sum = (rescale ? previous!.sum.mul(rescale).add(block.sum.mul(block.max.sub(max).exp())) : block.sum) as tf.Tensor1D;
          const capSlope = (z: tf.Tensor) => (softcap ? tf.sub(1, z.div(softcap).square()) : tf.onesLike(z));
          const numerators = logits.sub(max.expandDims(1)).exp().mul(capSlope(logits));
          const padded = table.shape[0] - real;
          const contribution = matMul(padded ? numerators.pad([[0, 0], [0, padded]]) : numerators, table) as tf.Tensor2D;
          const weighted = (previous ? previous.weighted.mul(rescale!.expandDims(1)).add(contribution) : contribution) as tf.Tensor2D;
          const targetsHere = idsIn(targets, b * this.blockRows, real);
          const here = pickedLogits(logits, targetsHere);
          const targetRows = gatherRows(table, targetsHere.local).mul(capSlope(here).mul(targetsHere.mask).expandDims(1));
          return {
            max,
            sum,
            picked: (previous ? previous.picked.add(here) : here) as tf.Tensor1D,
            weighted,
            target: (previous ? previous.target.add(targetRows) : targetRows) as tf.Tensor2D,
          };
        }),
      );
      if (previous) tf.dispose(Object.values(previous));
    }
    const { max, sum, picked, weighted, target } = running!;
    const result = tf.tidy(() => ({ losses: max.add(sum.log()).sub(picked) as tf.Tensor1D, gradient: weighted.div(sum.expandDims(1)).sub(target) as tf.Tensor2D }));
    tf.dispose(Object.values(running!));
    return result;
  }

  /** The logits of block b, [tokens, its real rows], soft-capped to ±softcap where given (Gemma 2). */
  private blockLogits(x: tf.Tensor2D, b: number, bias?: tf.Tensor1D, softcap?: number): tf.Tensor2D {
    return this.withBlock(b, (table, real) => this.logitsOf(x, table, real, b, bias, softcap));
  }

  private logitsOf(x: tf.Tensor2D, table: tf.Tensor2D, real: number, b: number, bias?: tf.Tensor1D, softcap?: number): tf.Tensor2D {
    const logits = bias ? (matMulTransposedB(x, table, real).add(bias.slice([b * this.blockRows], [real])) as tf.Tensor2D) : matMulTransposedB(x, table, real);
    return softcap ? (tf.tanh(logits.div(softcap)).mul(softcap) as tf.Tensor2D) : logits;
  }

  /** `use` on block b ([its rows padded to 4, d]) and its real rows: a block read from the file is freed once used. */
  private withBlock<T>(b: number, use: (table: tf.Tensor2D, real: number) => T): T {
    const start = b * this.blockRows;
    const real = Math.min(this.blockRows, this.rows - start);
    if ('resident' in this.source) return use(this.source.resident[b], real);
    const { files, name, buffers } = this.source;
    this.blocksRead++;
    const started = performance.now();
    const block = paddedBlock(readFloatRows(files, name, Int32Array.from({ length: real }, (_, i) => start + i), buffers), real, this.columns);
    this.secondsReading += (performance.now() - started) / 1000;
    try {
      return use(block, real);
    } finally {
      block.dispose();
    }
  }

  dispose(): void {
    if ('resident' in this.source) for (const block of this.source.resident) block.dispose();
  }
}

/** Where each of `ids` falls in the block of `width` rows from `start`: its row there (0 when outside) and 1 or 0. */
function idsIn(ids: Int32Array, start: number, width: number): { local: Int32Array; mask: Float32Array } {
  const inBlock = (id: number) => id >= start && id < start + width;
  return { local: Int32Array.from(ids, (id) => (inBlock(id) ? id - start : 0)), mask: Float32Array.from(ids, (id) => (inBlock(id) ? 1 : 0)) };
}

/** Each row's logit at its id in this block, 0 for ids outside it, [rows]. */
function pickedLogits(logits: tf.Tensor2D, { local, mask }: { local: Int32Array; mask: Float32Array }): tf.Tensor1D {
  const width = logits.shape[1];
  return tf.gather(logits.reshape([-1]), tf.tensor1d(Int32Array.from(local, (id, row) => row * width + id), 'int32')).mul(tf.tensor1d(mask)) as tf.Tensor1D;
}

/** Rows per block: all of them padded to 4, or as many whole rows of 4 as fit `maxBlockBytes` of float32. */
function blockRowsFor(rows: number, columns: number, maxBlockBytes: number): number {
  return Math.min(Math.ceil(rows / 4) * 4, Math.max(4, Math.floor(maxBlockBytes / (4 * columns) / 4) * 4));
}

/** [real, columns] values as a tensor padded with zero rows to a multiple of 4. */
function paddedBlock(values: Float32Array, real: number, columns: number): tf.Tensor2D {
  const padded = Math.ceil(real / 4) * 4;
  if (padded === real) return tf.tensor2d(values, [real, columns]);
  const withZeros = new Float32Array(padded * columns);
  withZeros.set(values);
  return tf.tensor2d(withZeros, [padded, columns]);
}
