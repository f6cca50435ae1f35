import type { LoadedConfig } from '../config/loadConfig';
import type { CharTokenizer } from './charTokenizer';
import { classificationData } from './classificationData';
import type { Dataset } from './dataset';
import { languageModelData } from './languageModelData';

/** The dataset a config names; pass a checkpoint's tokenizer and labels to encode the same way it was trained. */
export function loadDataset(loaded: LoadedConfig, tokenizer?: CharTokenizer, labels?: string[]): Dataset {
  return loaded.config.task === 'language-model'
    ? languageModelData(loaded, tokenizer)
    : classificationData(loaded, tokenizer, labels);
}
