import { UserError } from '../errors';
import { adapterText } from '../backend/webgpu/gpuAdapter';
import { activeGpu } from '../backend/webgpu/webgpuBackend';
import { WASM_HEAP_BYTES } from '../model/trainingMemory';
import { BERT_BASE_PREFIX, BertModel } from './families/bert';
import { Gpt2Model } from './families/gpt2';
import { LlamaModel } from './families/llama';
import { PretrainedTokenizer } from './hfTokenizer';
import { readPretrainedConfig, type Family, type PretrainedConfig } from './pretrainedConfig';
import type { PretrainedModel } from './pretrainedModel';
import { PretrainedWeights } from './pretrainedWeights';
import { openWeights, type WeightFiles } from './weightFiles';

/** Headroom for one evaluation's activations at the default window, on top of the F32 weights. */
const ACTIVATION_BYTES = 400 * 2 ** 20;

const BASE_PREFIX: Record<Family, (config: PretrainedConfig) => string> = {
  gpt2: () => 'transformer.',
  llama: () => 'model.',
  bert: (config) => BERT_BASE_PREFIX[config.modelType],
};

export interface OpenedPretrained {
  model: PretrainedModel;
  tokenizer: PretrainedTokenizer;
  /** F32 bytes of the weights as loaded. */
  weightBytes: number;
}

/** The memory a model needs once loaded: every tensor as float32, plus the activations' headroom. */
export function memoryNeeded(files: WeightFiles): { weightBytes: number; totalBytes: number } {
  const weightBytes = [...files.entries.values()].reduce((sum, entry) => sum + 4 * entry.shape.reduce((a, b) => a * b, 1), 0);
  return { weightBytes, totalBytes: weightBytes + ACTIVATION_BYTES };
}

const gb = (bytes: number) => (bytes / 2 ** 30).toFixed(1);

/**
 * Refuse, before a byte of weights is read, a model the backend cannot hold: past the wasm heap, or
 * on a GPU a tensor past the adapter's binding limit (every tensor but the vocabulary tables, which
 * are cut into blocks, is bound whole). Returns the memory the model needs.
 */
export function refuseWhatCannotFit(folder: string, files: WeightFiles, config: PretrainedConfig, backend: string): { weightBytes: number; totalBytes: number } {
  const needed = memoryNeeded(files);
  if (backend === 'wasm' && needed.totalBytes > WASM_HEAP_BYTES) {
    throw new UserError(
      `${folder}: needs about ${gb(needed.totalBytes)} GB (${gb(needed.weightBytes)} GB of weights as float32, plus activations); the wasm backend holds at most ${gb(WASM_HEAP_BYTES)} GB. Install @tensorflow/tfjs-node (npm install @tensorflow/tfjs-node) to use native memory, or run on a GPU (--backend webgpu).`,
    );
  }
  if (backend === 'webgpu') refuseUnbindable(folder, files, config, needed.totalBytes);
  return needed;
}

function refuseUnbindable(folder: string, files: WeightFiles, config: PretrainedConfig, totalBytes: number): void {
  const gpu = activeGpu()!;
  const vocabulary = config.number('vocab_size');
  for (const [name, entry] of files.entries) {
    const bytes = 4 * entry.shape.reduce((a, b) => a * b, 1);
    if (entry.shape[0] === vocabulary || bytes <= gpu.maxStorageBufferBindingSize) continue;
    throw new UserError(
      `${folder}: ${name} is ${gb(bytes)} GB as float32, past what ${adapterText(gpu)} binds at once (${gb(gpu.maxStorageBufferBindingSize)} GB); the model needs about ${gb(totalBytes)} GB of GPU memory in all`,
    );
  }
}

/**
 * A Hugging Face folder opened for analysis: config checked, memory estimated before a byte of
 * weights is read (a model that cannot fit is refused with what it needs), the family's model
 * built tensor by tensor, and the model's own tokenizer.
 */
export function openPretrained(folder: string, backend: string): OpenedPretrained {
  const config = readPretrainedConfig(folder);
  const tokenizer = PretrainedTokenizer.open(folder);
  const files = openWeights(folder);
  const { weightBytes } = refuseWhatCannotFit(folder, files, config, backend);
  const weights = new PretrainedWeights(files, BASE_PREFIX[config.family](config));
  try {
    const model = config.family === 'gpt2' ? new Gpt2Model(config, weights) : config.family === 'llama' ? new LlamaModel(config, weights) : new BertModel(config, weights);
    return { model, tokenizer, weightBytes };
  } catch (error) {
    weights.dispose();
    throw error;
  }
}
