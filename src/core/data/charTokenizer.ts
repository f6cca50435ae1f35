export const PAD = 0;
export const UNK = 1;
const SPECIAL = ['<pad>', '<unk>'];

import type { Tokenizer } from './tokenizer';

/** Character-level tokenizer; its vocabulary is saved in every checkpoint so a run decodes the same way later. */
export class CharTokenizer implements Tokenizer {
  readonly specialTokens = { pad: PAD, unk: UNK };
  private readonly index: Map<string, number>;

  constructor(readonly vocab: readonly string[]) {
    this.index = new Map(vocab.map((token, i) => [token, i]));
  }

  /** Vocabulary of the `maxSize` most frequent characters in `text`, in code point order. */
  static fromText(text: string, maxSize = 256): CharTokenizer {
    const counts = new Map<string, number>();
    for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
    const kept = [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, maxSize - SPECIAL.length)
      .map(([char]) => char)
      .sort();
    return new CharTokenizer([...SPECIAL, ...kept]);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  encode(text: string): Int32Array {
    const chars = Array.from(text);
    const ids = new Int32Array(chars.length);
    chars.forEach((char, i) => (ids[i] = this.index.get(char) ?? UNK));
    return ids;
  }

  decode(ids: ArrayLike<number>): string {
    return Array.from(ids, (id) => (id >= SPECIAL.length ? this.vocab[id] : '')).join('');
  }
}
