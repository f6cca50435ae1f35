import * as fs from 'node:fs';
import { cachedModels } from '../files/hubCache';
import { nativeFamilyName } from './nativeModelTypes';
import { readPretrainedConfig } from './pretrainedConfig';

/** A model a picker offers: where it is, what it is, and why DepthLab cannot open it, if it cannot. */
export interface ModelChoice {
  folder: string;
  /** Its Hub id for a cached model, else its folder. */
  label: string;
  revision?: string;
  bytes?: number;
  layers?: number;
  /** The native family, or the model_type the torch backend computes. */
  family?: string;
  unusable?: string;
}

/** What a causal or masked language model's class is called in transformers. */
const LANGUAGE_MODEL = /(ForCausalLM|LMHeadModel|ForMaskedLM)$/;

/** A folder as a picker shows it; undefined when it is no causal or masked language model (an image model, a seq2seq one). */
export function modelChoice(folder: string, label: string, more: Pick<ModelChoice, 'revision' | 'bytes'> = {}): ModelChoice | undefined {
  let config;
  try {
    config = readPretrainedConfig(folder);
  } catch (error) {
    return { folder, label, ...more, unusable: (error as Error).message };
  }
  const native = nativeFamilyName(config.modelType);
  const architectures = Array.isArray(config.raw.architectures) ? config.raw.architectures.map(String) : [];
  if (!native && architectures.length && !architectures.some((name) => LANGUAGE_MODEL.test(name))) return undefined;
  const files = fs.readdirSync(folder);
  const unusable = !files.includes('tokenizer.json')
    ? 'no tokenizer.json: DepthLab tokenizes with the model’s own fast tokenizer'
    : !files.some((file) => file.endsWith('.safetensors'))
      ? 'no .safetensors weights: DepthLab reads safetensors (transformers saves them by default)'
      : undefined;
  return { folder, label, ...more, layers: config.layers, family: native ?? `${config.modelType}, with --backend torch`, ...(unusable && { unusable }) };
}

/** Every causal or masked language model in the Hugging Face cache, by id and revision. */
export function cachedModelChoices(env: NodeJS.ProcessEnv = process.env): ModelChoice[] {
  return cachedModels(env).flatMap((model) => modelChoice(model.folder, model.id, { revision: model.revision, bytes: model.bytes }) ?? []);
}

/** "1.2 GB": a size on disk as the picker says it. */
export const sizeText = (bytes: number) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / 1e6))} MB`);

/** "main · 2.5 GB · 16 layers · llama": a choice's facts in one line. */
export const choiceFacts = (choice: ModelChoice) =>
  [choice.revision, choice.bytes === undefined ? undefined : sizeText(choice.bytes), choice.layers === undefined ? undefined : `${choice.layers} layers`, choice.family].filter(Boolean).join(' · ');
