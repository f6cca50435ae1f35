import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';

/** Families DepthLab implements, and the `model_type`s each one covers. */
export const FAMILIES = {
  gpt2: ['gpt2'],
  llama: ['llama', 'mistral', 'qwen2', 'qwen3', 'olmo2', 'phi3'],
  gemma: ['gemma2', 'gemma3_text'],
  gptNeox: ['gpt_neox'],
  opt: ['opt'],
  bert: ['bert', 'roberta', 'distilbert'],
} as const;
export type Family = keyof typeof FAMILIES;
const SUPPORTED = Object.values(FAMILIES).flat() as string[];

/** The key that holds the layer count, as each model_type names it. */
const LAYER_COUNT_KEYS = ['num_hidden_layers', 'n_layer', 'n_layers'];

/** A Hugging Face `config.json`, read and checked for what DepthLab needs. */
export interface PretrainedConfig {
  folder: string;
  file: string;
  raw: Record<string, unknown>;
  modelType: string;
  family: Family;
  layerCountKey: string;
  layers: number;
  /** A number the config must hold; `fallback` where the family has a default. */
  number(key: string, fallback?: number): number;
}

export function isPretrainedFolder(folder: string): boolean {
  return fs.existsSync(path.join(folder, 'config.json')) && typeof readJson(path.join(folder, 'config.json')).model_type === 'string';
}

export function readPretrainedConfig(folder: string): PretrainedConfig {
  const file = path.join(folder, 'config.json');
  if (!fs.existsSync(file)) throw new UserError(`${folder}: no config.json; a Hugging Face model folder holds config.json and its weights`);
  const raw = readJson(file);
  const modelType = raw.model_type;
  if (typeof modelType !== 'string') throw new UserError(`${file}: no "model_type"; is this a Hugging Face model config?`);
  const family = (Object.keys(FAMILIES) as Family[]).find((name) => (FAMILIES[name] as readonly string[]).includes(modelType));
  if (!family) throw new UserError(`${file}: model_type "${modelType}" is not supported; DepthLab opens ${SUPPORTED.join(', ')}`);
  const number = (key: string, fallback?: number) => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new UserError(`${file}: "${key}" must be a number${raw[key] === undefined ? ' (missing)' : `, not ${JSON.stringify(raw[key])}`}`);
    return value;
  };
  const layerCountKey = LAYER_COUNT_KEYS.find((key) => key in raw);
  if (!layerCountKey) throw new UserError(`${file}: no layer count (${LAYER_COUNT_KEYS.join(', ')})`);
  const layers = number(layerCountKey);
  if (!Number.isInteger(layers) || layers < 1) throw new UserError(`${file}: "${layerCountKey}" must be a positive integer, not ${layers}`);
  return { folder, file, raw, modelType, family, layerCountKey, layers, number };
}

function readJson(file: string): Record<string, unknown> {
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch (error) {
    throw new UserError(`${file}: not JSON (${(error as Error).message})`);
  }
  throw new UserError(`${file}: not a JSON object`);
}
