import type { BatchTask, BatchResult, ResidualStream } from '../model/layeredModel';
import type * as tf from '../backend/tf';
import { torchrun, TorchEngine, type TorchModelDescription } from '../backend/torchEngine';
import { liveAnswers, type TorchAnswers } from './torchAnswers';
import type { Batch } from '../data/batch';
import { PretrainedTokenizer } from '../data/pretrainedTokenizer';
import { UserError } from '../errors';
import { nativeFamily } from './families/families';
import { storedAsIs } from './families/familyModel';
import type { OpenedPretrained } from './openPretrained';
import { readPretrainedConfig, type PretrainedConfig } from './pretrainedConfig';
import type { Family, PretrainedModel } from './pretrainedModel';
import { PretrainedWeights } from './pretrainedWeights';
import { openWeights } from './weightFiles';

/** What the torch backend needs besides the folder: remote code (off unless asked) and accelerate's max_memory. */
export interface TorchOptions {
  trustRemoteCode?: boolean;
  maxMemory?: Record<string, string>;
  /** Processes on this machine, each with a replica evaluating its share of the batches (torchrun --nproc-per-node; docs/cluster.md). */
  nprocPerNode?: number;
}

/** The config keys that hold the longest window a model computes, as families name them. */
const POSITION_KEYS = ['max_position_embeddings', 'n_positions', 'n_ctx', 'seq_length'];

/**
 * A family DepthLab does not compute natively, as transformers described it when it opened the
 * model: LoRA adapts the linear maps it found in a layer, and exports are written by transformers'
 * save_pretrained.
 */
export function transformersFamily(description: TorchModelDescription): Family {
  return {
    name: 'transformers',
    modelTypes: [description.modelType],
    basePrefix: () => description.basePrefix,
    open: () => {
      throw new UserError(`${description.modelType} is computed by transformers (--backend torch); DepthLab has no native model of it`);
    },
    lora: () => ({ modules: description.linearModules, fanInFanOut: description.conv1d }),
    exportTensor: storedAsIs,
    cardNotes: () => [`DepthLab computed this model with transformers' own ${description.className} (the torch backend), and transformers' save_pretrained wrote the kept layers.`],
  };
}

/**
 * A Hugging Face model computed by transformers in the user's Python (the torch backend): every
 * pass goes to the engine as batch tasks, and comes back as the same per-batch numbers DepthLab's
 * own engine computes. Its tensors never cross: the weights stay in the file for the export and
 * the cut cost, the streams on the device.
 */
export class TorchPretrainedModel implements PretrainedModel {
  readonly layers: number;
  readonly objective: 'causal-lm' | 'masked-lm';
  readonly maxPositions: number;
  readonly layerPrefix: string;
  readonly family: Family;
  readonly weights: PretrainedWeights;
  readonly partsInseparable?: string;
  /** A family DepthLab lacks is exported by transformers' save_pretrained (export/prunedFolder.ts). */
  readonly saveKept?: (staging: string, keep: number[], configChanges: Record<string, unknown>) => void;

  constructor(
    readonly config: PretrainedConfig,
    readonly engine: TorchAnswers,
    readonly description: TorchModelDescription,
  ) {
    this.layers = description.layers;
    this.objective = description.objective;
    this.layerPrefix = description.layerPrefix;
    const positions = POSITION_KEYS.map((key) => config.raw[key]).find((value): value is number => typeof value === 'number');
    this.maxPositions = positions ?? Number.POSITIVE_INFINITY;
    this.family = nativeFamily(config) ?? transformersFamily(description);
    this.weights = new PretrainedWeights(openWeights(config.folder), description.basePrefix, true);
    this.partsInseparable = description.partsInseparable ?? undefined;
    if (this.family.name === 'transformers') this.saveKept = (staging, keep, changes) => engine.exportTo(staging, keep, changes);
  }

  runBatches(batches: Batch[], task: BatchTask): Float64Array[] {
    return this.engine.batches(task, batches);
  }

  weightL1(): number[] {
    return this.engine.weightL1();
  }

  embed(): ResidualStream {
    return elsewhere('embed');
  }

  block(): tf.Tensor2D {
    return elsewhere('block');
  }

  readout(): BatchResult {
    return elsewhere('readout');
  }

  logits(): tf.Tensor2D {
    return elsewhere('logits');
  }

  layerWeights(): tf.Tensor[] {
    return elsewhere('layerWeights');
  }

  dispose(): void {
    this.engine.close();
    this.weights.dispose();
  }
}

/** The torch backend's passes run in Python (runBatches); a TF.js path reaching a model there is DepthLab's bug. */
function elsewhere(what: string): never {
  throw new Error(`${what}: this model is computed by transformers in Python (the torch backend); its passes go through runBatches`);
}

/** What a model predicts: masked tokens (BERT's family, or an architecture named …ForMaskedLM), else the next token. */
export function objectiveOf(config: PretrainedConfig): 'causal-lm' | 'masked-lm' {
  const masked = nativeFamily(config)?.name === 'bert' || (Array.isArray(config.raw.architectures) && config.raw.architectures.some((name) => String(name).endsWith('ForMaskedLM')));
  return masked ? 'masked-lm' : 'causal-lm';
}

/** A Hugging Face folder opened on the torch backend: its config and tokenizer read here, the model by transformers in the chosen Python. */
export function openOnTorch(folder: string, options: TorchOptions = {}): OpenedPretrained {
  const config = readPretrainedConfig(folder);
  const tokenizer = PretrainedTokenizer.open(folder);
  const { engine, description } = TorchEngine.open({ folder, objective: objectiveOf(config), trustRemoteCode: options.trustRemoteCode, maxMemory: options.maxMemory }, options.nprocPerNode && options.nprocPerNode > 1 ? torchrun(options.nprocPerNode) : []);
  try {
    return { model: new TorchPretrainedModel(config, liveAnswers(engine), description), tokenizer };
  } catch (error) {
    engine.close();
    throw error;
  }
}
