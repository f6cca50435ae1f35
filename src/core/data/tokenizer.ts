/** Text to token ids and back: the character tokenizer DepthLab trains with is one; a model's own tokenizer.json another. */
export interface Tokenizer {
  readonly vocabSize: number;
  /** Ids with a role, where the tokenizer has them. */
  readonly specialTokens: { pad?: number; unk?: number; bos?: number; eos?: number; mask?: number };
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
}
