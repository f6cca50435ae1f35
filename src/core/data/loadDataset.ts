import type { LoadedConfig } from '../config/loadConfig';
import type { CharTokenizer } from './charTokenizer';
import { classificationData } from './classificationData';
import type { Dataset } from './dataset';
import { languageModelData } from './languageModelData';
import type { Tokenizer } from './tokenizer';

/** The dataset a config names, encoded with the model's tokenizer and labels; without them, a character vocabulary fitted to the training text. */
export function loadDataset<T extends Tokenizer = CharTokenizer>(loaded: LoadedConfig, tokenizer?: T, labels?: string[]): Dataset<T> {
  return loaded.config.task === 'language-model'
    ? languageModelData(loaded, tokenizer)
    : classificationData(loaded, tokenizer, labels);
}
