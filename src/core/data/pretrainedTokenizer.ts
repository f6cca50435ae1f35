import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import type { Tokenizer } from './tokenizer';
import { UserError } from '../errors';

/** A model's own `tokenizer.json` (+ `tokenizer_config.json`), read by @huggingface/tokenizers. */
export class PretrainedTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly specialTokens: Tokenizer['specialTokens'];

  private constructor(
    private readonly tokenizer: HfTokenizer,
    config: Record<string, unknown>,
  ) {
    this.vocabSize = tokenizer.get_vocab(true).size;
    // tokenizer_config.json names each role's token as a string or as {content: …}.
    const idOf = (role: string) => {
      const token = config[`${role}_token`] as string | { content?: string } | undefined;
      const content = typeof token === 'string' ? token : token?.content;
      return content === undefined ? undefined : tokenizer.token_to_id(content);
    };
    this.specialTokens = { pad: idOf('pad'), unk: idOf('unk'), bos: idOf('bos'), eos: idOf('eos'), mask: idOf('mask') };
  }

  static open(folder: string): PretrainedTokenizer {
    const file = path.join(folder, 'tokenizer.json');
    if (!fs.existsSync(file)) throw new UserError(`${folder}: no tokenizer.json (DepthLab reads the fast-tokenizer file; save it with tokenizer.save_pretrained)`);
    const configFile = path.join(folder, 'tokenizer_config.json');
    try {
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      const config = fs.existsSync(configFile) ? JSON.parse(fs.readFileSync(configFile, 'utf8')) : {};
      return new PretrainedTokenizer(new HfTokenizer(json, config), config);
    } catch (error) {
      throw new UserError(`${file}: the tokenizer library cannot read it (${(error as Error).message.split('\n')[0]})`);
    }
  }

  /** Ids with the model's own special tokens added (BOS for Llama, [CLS] … [SEP] for BERT), as transformers' tokenizer(text) does. */
  encode(text: string): Int32Array {
    return Int32Array.from(this.tokenizer.encode(text).ids);
  }

  /** Ids of the text alone, for cutting a long text into windows. */
  encodePlain(text: string): Int32Array {
    return Int32Array.from(this.tokenizer.encode(text, { add_special_tokens: false }).ids);
  }

  decode(ids: ArrayLike<number>): string {
    return this.tokenizer.decode(Array.from(ids));
  }
}
