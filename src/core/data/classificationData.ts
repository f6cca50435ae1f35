import * as path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import type { LoadedConfig } from '../config/loadConfig';
import type { Batch } from './batch';
import type { Rng } from '../random/rng';
import { CharTokenizer, PAD } from './charTokenizer';
import type { Dataset } from './dataset';
import type { Tokenizer } from './tokenizer';
import { bundledDataFile } from '../config/bundledData';
import { dataError, dataSource, readDataText, type DataSource } from './readDataFile';

interface Example {
  text: string;
  label: string;
}

/**
 * Labelled text: JSONL lines {"text", "label"} or CSV with `text` and `label` columns.
 * Without `data.valid`, every k-th example of each label (k = round(1/validFraction)) is held out,
 * so the split is deterministic and stratified whatever order the file is in.
 */
export function classificationData<T extends Tokenizer = CharTokenizer>(loaded: LoadedConfig, tokenizer?: T, knownLabels?: string[]): Dataset<T> {
  const { data, model } = loaded.config;
  const trainSource = dataSource(loaded, 'train', bundledDataFile('classification'))!;
  const validSource = dataSource(loaded, 'valid');
  let train = readExamples(loaded, trainSource);
  let valid: Example[];
  if (validSource) {
    valid = readExamples(loaded, validSource);
  } else {
    const held = heldOutIndices(train, Math.max(2, Math.round(1 / data.validFraction)));
    valid = train.filter((_, i) => held.has(i));
    train = train.filter((_, i) => !held.has(i));
  }
  if (train.length === 0 || valid.length === 0) {
    throw dataError(loaded, trainSource, `has too few examples to hold out a validation set; allowed: at least 2 examples`);
  }
  const labels = knownLabels ?? [...new Set(train.map((e) => e.label))].sort();
  if (labels.length < 2) throw dataError(loaded, trainSource, `has one label (${labels[0]}); allowed: at least 2 distinct labels`);
  const vocab = tokenizer ?? (CharTokenizer.fromText(train.map((e) => e.text).join('')) as unknown as T);
  const encode = (examples: Example[], source: DataSource) =>
    examples.map((e, i) => {
      const label = labels.indexOf(e.label);
      if (label < 0) throw dataError(loaded, source, `example ${i + 1} has label "${e.label}" not seen in training; allowed: ${labels.join(', ')}`);
      return { ids: vocab.encode(e.text).subarray(0, model.seqLen), label };
    });
  const trainSet = encode(train, trainSource);
  const validSet = encode(valid, validSource ?? trainSource);
  const name = trainSource.field ? loaded.config.data.train! : 'SpamAssassin ham/spam (bundled)';
  return {
    tokenizer: vocab,
    labels,
    description: `${name}: ${trainSet.length} train / ${validSet.length} valid examples, labels ${labels.join('/')}, vocabulary ${vocab.vocabSize}`,
    trainBatch: (rng: Rng, batchSize: number) =>
      toBatch(Array.from({ length: batchSize }, () => trainSet[rng.int(trainSet.length)]), model.seqLen),
    validBatches: (batchSize: number, maxBatches: number) => {
      const batches: Batch[] = [];
      const limit = Math.min(validSet.length, batchSize * maxBatches);
      for (let i = 0; i < limit; i += batchSize) batches.push(toBatch(validSet.slice(i, Math.min(i + batchSize, limit)), model.seqLen));
      return batches;
    },
  };
}

function heldOutIndices(examples: Example[], every: number): Set<number> {
  const seen = new Map<string, number>();
  const held = new Set<number>();
  examples.forEach(({ label }, i) => {
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    if (n % every === 0) held.add(i);
  });
  return held;
}

function toBatch(rows: Array<{ ids: Int32Array; label: number }>, length: number): Batch {
  const inputs = new Int32Array(rows.length * length).fill(PAD);
  const mask = new Float32Array(rows.length * length);
  const targets = new Int32Array(rows.length);
  rows.forEach(({ ids, label }, row) => {
    // An empty text still gets one (padding) position so pooling never divides by zero.
    inputs.set(ids, row * length);
    mask.fill(1, row * length, row * length + Math.max(1, ids.length));
    targets[row] = label;
  });
  return { size: rows.length, length, inputs, targets, mask };
}

function readExamples(loaded: LoadedConfig, source: DataSource): Example[] {
  const { text } = readDataText(loaded, source);
  const extension = path.extname(source.file).toLowerCase();
  if (extension === '.csv') return readCsv(loaded, source, text);
  if (extension === '.jsonl' || extension === '.ndjson') return readJsonl(loaded, source, text);
  throw dataError(loaded, source, `unknown format "${extension}"; allowed for classification: .jsonl, .csv`);
}

function readJsonl(loaded: LoadedConfig, source: DataSource, text: string): Example[] {
  const examples: Example[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw dataError(loaded, source, `${path.basename(source.file)} line ${i + 1} is not JSON; allowed: one {"text": ..., "label": ...} object per line`);
    }
    examples.push(toExample(loaded, source, row, `line ${i + 1}`));
  });
  return examples;
}

function readCsv(loaded: LoadedConfig, source: DataSource, text: string): Example[] {
  let rows: Array<Record<string, string>>;
  try {
    rows = parseCsv(text, { columns: true, skip_empty_lines: true, bom: true });
  } catch (error) {
    throw dataError(loaded, source, `${path.basename(source.file)}: ${(error as Error).message}`);
  }
  return rows.map((row, i) => toExample(loaded, source, row, `row ${i + 2}`));
}

function toExample(loaded: LoadedConfig, source: DataSource, row: unknown, where: string): Example {
  const record = row as { text?: unknown; label?: unknown } | null;
  const label = record?.label;
  if (typeof record?.text !== 'string' || (typeof label !== 'string' && typeof label !== 'number')) {
    throw dataError(loaded, source, `${path.basename(source.file)} ${where} needs a string "text" and a string or number "label"`);
  }
  return { text: record.text, label: String(label) };
}
