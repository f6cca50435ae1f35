import type { Batch } from './batch';
import type { Rng } from '../random/rng';
import type { CharTokenizer } from './charTokenizer';
import type { Tokenizer } from './tokenizer';

/** What training and evaluation need from data, whatever the task; `T` is the tokenizer it was encoded with. */
export interface Dataset<T extends Tokenizer = CharTokenizer> {
  tokenizer: T;
  /** Class names (classification); empty for language models. */
  labels: string[];
  /** One-line description for logs and reports. */
  description: string;
  trainBatch(rng: Rng, batchSize: number): Batch;
  /** A fixed list of validation batches, the same on every call. */
  validBatches(batchSize: number, maxBatches: number): Batch[];
}
