import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, modify } from 'jsonc-parser';
import { encodeRawSafetensors, type RawTensor } from '../checkpoint/safetensors';
import { UserError } from '../errors';
import { writeFileAtomic, writeFolderAtomic } from '../files/atomicWrite';
import type { Family } from '../huggingface/pretrainedModel';
import { layerNamePrefix } from '../huggingface/layerNames';
import type { PretrainedConfig } from '../huggingface/pretrainedConfig';
import { readRawWeight, type WeightEntry, type WeightFiles } from '../huggingface/weightFiles';

/** Per-layer lists transformers' configs carry, sliced to the kept layers. */
const LAYER_LISTS = ['layer_types', 'mlp_layer_types', 'sliding_window_pattern_layers', 'no_rope_layers'];
/** Files of the model folder an export rewrites or leaves behind; everything else is copied. */
const REWRITTEN = /^(config\.json|model\.safetensors|model-\d+-of-\d+\.safetensors|model\.safetensors\.index\.json|README\.md|\.depthlab)$/;

export interface PrunedFolderSource {
  config: PretrainedConfig;
  family: Family;
  files: WeightFiles;
  /** Canonical name of layer i's tensors up to the index (`transformer.h.`) and the base prefix a bare checkpoint lacks (`transformer.`). */
  layerPrefix: string;
  basePrefix: string;
  /**
   * A family DepthLab does not compute: its own library saves the kept layers into the staging
   * folder (weights and config, `configChanges` applied), instead of DepthLab renaming tensors.
   */
  saveKept?: (staging: string, keep: number[], configChanges: Record<string, unknown>) => void;
}

/**
 * The config of the pruned model: the layer count key set to r, every per-layer list sliced to
 * the kept layers, Qwen2's `max_window_layers` spelled out as an explicit `layer_types` list
 * first (a threshold cannot survive removing layers below it). An unknown list as long as the
 * layer count is refused: slicing or not would be a guess.
 */
export function prunedConfig(config: PretrainedConfig, keep: number[]): Record<string, unknown> {
  const raw: Record<string, unknown> = { ...config.raw };
  const N = config.layers;
  if (typeof raw.max_window_layers === 'number' && !Array.isArray(raw.layer_types)) {
    const sliding = raw.use_sliding_window === true;
    raw.layer_types = Array.from({ length: N }, (_, l) => (sliding && l >= (raw.max_window_layers as number) ? 'sliding_attention' : 'full_attention'));
  }
  if (typeof raw.max_window_layers === 'number') raw.max_window_layers = keep.filter((l) => l < (raw.max_window_layers as number)).length;
  for (const [key, value] of Object.entries(raw)) {
    if (!Array.isArray(value) || value.length !== N || key === 'architectures') continue;
    if (!LAYER_LISTS.includes(key)) throw new UserError(`${config.file}: "${key}" is a list of ${N} entries, one per layer perhaps; DepthLab slices only ${LAYER_LISTS.join(', ')} and will not guess`);
    raw[key] = keep.map((l) => value[l]);
  }
  raw[config.layerCountKey] = keep.length;
  return raw;
}

/** The keys of the pruned config whose values change: the layer count, and the per-layer lists. */
export function configChanges(config: PretrainedConfig, keep: number[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(prunedConfig(config, keep)).filter(([key, value]) => JSON.stringify(config.raw[key]) !== JSON.stringify(value)));
}

/**
 * The pruned config as text: the source's config.json with only the changed keys edited in place
 * (jsonc-parser), so every other value keeps its spelling. transformers 5 validates its configs
 * strictly, and a float such as Gemma 2's `final_logit_softcapping: 30.0` re-serialised as `30`
 * is refused as an int.
 */
export function prunedConfigText(config: PretrainedConfig, keep: number[]): string {
  let text = fs.readFileSync(config.file, 'utf8');
  for (const [key, value] of Object.entries(configChanges(config, keep))) {
    text = applyEdits(text, modify(text, [key], value, { formattingOptions: { insertSpaces: true, tabSize: 2 } }));
  }
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Layer i's tensors renamed to the kept index j, or dropped; every other tensor as stored. */
function renamedTensor(source: PrunedFolderSource, entry: WeightEntry, newIndex: Map<number, number>): RawTensor | undefined {
  const prefix = layerNamePrefix(entry.name, source.layerPrefix, source.basePrefix);
  const bytes = new Uint8Array(readRawWeight(source.files, entry));
  if (prefix === undefined) return { name: entry.name, dtype: entry.dtype, shape: entry.shape, bytes };
  const rest = entry.name.slice(prefix.length);
  const old = Number(rest.slice(0, rest.indexOf('.')));
  const kept = newIndex.get(old);
  if (kept === undefined) return undefined;
  const tensor = { name: `${prefix}${kept}${rest.slice(rest.indexOf('.'))}`, dtype: entry.dtype, shape: entry.shape, bytes };
  return source.family.exportTensor(source.config, tensor, old, kept);
}

/** The kept layers' tensors renamed 0…r−1 in the source's shards (a shard left empty is dropped and the rest renumbered), the index rewritten, and the pruned config. */
function writeRenamedWeights(source: PrunedFolderSource, keep: number[], staging: string): void {
  const newIndex = new Map(keep.map((layer, i) => [layer, i]));
  const shards = source.files.shards
    .map((shard) => [...source.files.entries.values()].filter((entry) => entry.file === shard).map((entry) => renamedTensor(source, entry, newIndex)).filter((t): t is RawTensor => t !== undefined))
    .filter((tensors) => tensors.length > 0);
  const names = shards.length === 1 ? ['model.safetensors'] : shards.map((_, i) => `model-${String(i + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`);
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  let totalParameters = 0;
  shards.forEach((tensors, i) => {
    fs.writeFileSync(path.join(staging, names[i]), encodeRawSafetensors(tensors, { format: 'pt' }));
    for (const tensor of tensors) {
      weightMap[tensor.name] = names[i];
      totalSize += tensor.bytes.byteLength;
      totalParameters += tensor.shape.reduce((a, b) => a * b, 1);
    }
  });
  if (shards.length > 1) {
    const index = { metadata: { ...source.files.indexMetadata, total_size: totalSize, ...(source.files.indexMetadata?.total_parameters !== undefined && { total_parameters: totalParameters }) }, weight_map: Object.fromEntries(Object.entries(weightMap).sort(([a], [b]) => a.localeCompare(b))) };
    fs.writeFileSync(path.join(staging, 'model.safetensors.index.json'), `${JSON.stringify(index, null, 2)}\n`);
  }
  fs.writeFileSync(path.join(staging, 'config.json'), prunedConfigText(source.config, keep));
}

/**
 * A Hugging Face folder of the kept layers (writeRenamedWeights, or the family's own library),
 * the tokenizer and generation files copied, `card` as README.md, and `extras` (relative path → text). Built in a sibling temp folder
 * and renamed into place, so a failure leaves nothing half-written.
 */
export function writePrunedFolder(source: PrunedFolderSource, keep: number[], out: string, card: string, extras: Record<string, string> = {}): string[] {
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new UserError(`${out} is a file; allowed for --out: a new or empty folder`);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new UserError(`${out} exists and is not empty; choose another --out or remove it`);
  return writeFolderAtomic(out, (staging) => {
    if (source.saveKept) source.saveKept(staging, keep, configChanges(source.config, keep));
    else writeRenamedWeights(source, keep, staging);
    for (const name of fs.readdirSync(source.files.folder)) {
      const file = path.join(source.files.folder, name);
      if (!REWRITTEN.test(name) && fs.statSync(file).isFile() && !fs.existsSync(path.join(staging, name))) fs.copyFileSync(file, path.join(staging, name));
    }
    writeFileAtomic(path.join(staging, 'README.md'), card);
    for (const [name, content] of Object.entries(extras)) {
      fs.mkdirSync(path.dirname(path.join(staging, name)), { recursive: true });
      fs.writeFileSync(path.join(staging, name), content);
    }
  });
}
