/** One batch as token ids. Language model: next-token targets per position; classification: one label per row. */
export interface Batch {
  size: number;
  length: number;
  inputs: Int32Array;
  targets: Int32Array;
  /** Classification only: 1 for real tokens, 0 for padding, [size·length]. */
  mask?: Float32Array;
  /** Masked language model only: the rows of [size·length] whose original tokens `targets` holds, one each. */
  predicted?: Int32Array;
  /** Multiple-choice task only: per row, the positions [start, end) whose targets are the scored continuation, [size·2]. */
  spans?: Int32Array;
}

/** Token positions in these batches, all windows together. */
export const tokensIn = (batches: readonly Batch[]) => batches.reduce((sum, batch) => sum + batch.size * batch.length, 0);
