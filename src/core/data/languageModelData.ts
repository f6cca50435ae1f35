import type { LoadedConfig } from '../config/loadConfig';
import type { Batch } from './batch';
import type { Rng } from '../random/rng';
import { CharTokenizer } from './charTokenizer';
import type { Dataset } from './dataset';
import type { Tokenizer } from './tokenizer';
import { bundledDataFile } from '../config/bundledData';
import { dataError, dataSource, readDataText, type DataSource } from './readDataFile';
import { notUtf8Warning } from './textContent';

/** Plain text, next-character prediction. Without `data.valid`, the last `validFraction` of the text is held out. */
export function languageModelData<T extends Tokenizer = CharTokenizer>(loaded: LoadedConfig, tokenizer?: T): Dataset<T> {
  const { data, model } = loaded.config;
  const trainSource = dataSource(loaded, 'train', bundledDataFile('language-model'))!;
  const validSource = dataSource(loaded, 'valid');
  const trainRead = readDataText(loaded, trainSource);
  const validRead = validSource && readDataText(loaded, validSource);
  let trainText = trainRead.text;
  let validText: string;
  if (validRead) {
    validText = validRead.text;
  } else {
    const cut = Math.floor(trainText.length * (1 - data.validFraction));
    validText = trainText.slice(cut);
    trainText = trainText.slice(0, cut);
  }
  const vocab = tokenizer ?? (CharTokenizer.fromText(trainText) as unknown as T);
  const train = vocab.encode(trainText);
  const valid = vocab.encode(validText);
  const window = model.seqLen + 1;
  for (const [ids, source] of [
    [train, trainSource],
    [valid, validSource ?? trainSource],
  ] as const) {
    if (ids.length < window) {
      throw dataError(loaded, source, `has ${ids.length} characters${source === trainSource && !validSource ? ' after the validation split' : ''}; allowed: at least one sequence (model.seqLen + 1 = ${window})`);
    }
  }
  const name = trainSource.field ? loaded.config.data.train! : 'Moby Dick (bundled)';
  return {
    tokenizer: vocab,
    labels: [],
    description: [`${name}: ${train.length} train / ${valid.length} valid characters, vocabulary ${vocab.vocabSize}`, ...notUtf8Warnings([trainSource, trainRead], [validSource, validRead])].join('; '),
    trainBatch: (rng: Rng, batchSize: number) =>
      windows(train, model.seqLen, Array.from({ length: batchSize }, () => rng.int(train.length - window + 1))),
    validBatches: (batchSize: number, maxBatches: number) => {
      const count = Math.min(Math.floor((valid.length - 1) / model.seqLen), batchSize * maxBatches);
      const offsets = Array.from({ length: count }, (_, i) => i * model.seqLen);
      const batches: Batch[] = [];
      for (let i = 0; i < offsets.length; i += batchSize) batches.push(windows(valid, model.seqLen, offsets.slice(i, i + batchSize)));
      return batches;
    },
  };
}

function windows(ids: Int32Array, length: number, offsets: number[]): Batch {
  const inputs = new Int32Array(offsets.length * length);
  const targets = new Int32Array(offsets.length * length);
  offsets.forEach((offset, row) => {
    inputs.set(ids.subarray(offset, offset + length), row * length);
    targets.set(ids.subarray(offset + 1, offset + length + 1), row * length);
  });
  return { size: offsets.length, length, inputs, targets };
}

/** Warnings for the data files read with a few sequences that were not UTF-8. */
function notUtf8Warnings(...reads: Array<[DataSource | undefined, { notUtf8: number } | undefined]>): string[] {
  return reads.flatMap(([source, read]) => (source && read?.notUtf8 ? [notUtf8Warning(source.file, read.notUtf8)] : []));
}
