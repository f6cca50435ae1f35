import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';

/** The key that holds the layer count, as each model_type names it. */
const LAYER_COUNT_KEYS = ['num_hidden_layers', 'n_layer', 'n_layers'];

/** A Hugging Face `config.json`, read and checked for what every model needs (a model_type and a layer count); families.ts says whether DepthLab computes its family natively. */
export interface PretrainedConfig {
  folder: string;
  file: string;
  raw: Record<string, unknown>;
  modelType: string;
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
  const number = (key: string, fallback?: number) => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new UserError(`${file}: "${key}" must be a number${raw[key] === undefined ? ' (missing)' : `, not ${JSON.stringify(raw[key])}`}`);
    return value;
  };
  const layerCountKey = LAYER_COUNT_KEYS.find((key) => key in raw);
  if (!layerCountKey) throw new UserError(`${file}: no layer count (${LAYER_COUNT_KEYS.join(', ')})`);
  const layers = number(layerCountKey);
  if (!Number.isInteger(layers) || layers < 1) throw new UserError(`${file}: "${layerCountKey}" must be a positive integer, not ${layers}`);
  return { folder, file, raw, modelType, layerCountKey, layers, number };
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
