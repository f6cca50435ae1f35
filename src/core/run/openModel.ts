import { loadModelCheckpoint } from '../checkpoint/modelCheckpoint';
import type { LoadedConfig } from '../config/loadConfig';
import type { DepthLabConfig } from '../config/schema';
import type { CharTokenizer } from '../data/charTokenizer';
import type { Dataset } from '../data/dataset';
import { loadDataset } from '../data/loadDataset';
import type { ModelShape } from '../model/parameters';
import { Transformer } from '../model/transformer';
import { refuseOversizedModel } from '../model/trainingMemory';
import type { Rng } from '../random/rng';
import type { RunData } from './runFiles';
import { requireCheckpoint } from './checkpointFiles';

/** Where a model comes from: initialised from a config, or a DepthLab run's last checkpoint. */
export type ModelSource =
  | { kind: 'scratch'; loaded: LoadedConfig; rng: Rng }
  | { kind: 'run'; loaded: LoadedConfig; run: RunData };

export interface OpenedModel {
  model: Transformer;
  tokenizer: CharTokenizer;
  shape: ModelShape;
  /** The config the model was built from: the file's for scratch, the run's snapshot for a run. */
  config: DepthLabConfig;
  /** The config's data, encoded with the model's tokenizer and labels. */
  dataset: Dataset;
  /** Training steps the weights have seen. */
  step: number;
}

/** The one place a model comes in. The caller disposes `model`. */
export function openModel(source: ModelSource): OpenedModel {
  if (source.kind === 'scratch') {
    const { config } = source.loaded;
    const dataset = loadDataset(source.loaded);
    const shape: ModelShape = { task: config.task, vocabSize: dataset.tokenizer.vocabSize, numClasses: dataset.labels.length, model: config.model };
    refuseOversizedModel(shape, config.train.batchSize);
    return { model: new Transformer(shape, source.rng), tokenizer: dataset.tokenizer, shape, config, dataset, step: 0 };
  }
  const { model, meta, tokenizer } = loadModelCheckpoint(requireCheckpoint(source.run.paths).model);
  // The run's own config (data split, sequence length) with paths resolved against the config's folder.
  const dataset = loadDataset({ ...source.loaded, config: source.run.config }, tokenizer, meta.labels);
  return { model, tokenizer, shape: model.shape, config: source.run.config, dataset, step: meta.step };
}

/** The fixed validation batches every evaluation of a model uses: the whole split, or the config's cap. */
export function validationBatches({ dataset, config }: Pick<OpenedModel, 'dataset' | 'config'>) {
  return dataset.validBatches(config.train.batchSize, config.train.evalBatches ?? Infinity);
}
