import { decodeMeta, encodeMeta, type CheckpointMeta } from '../checkpoint/modelCheckpoint';
import type { NamedTensor, SafetensorsFile } from '../checkpoint/safetensors';
import type { DepthLabConfig } from '../config/schema';
import { UserError } from '../errors';
import { storageLayer } from '../model/parameters';

/**
 * Keep `keep` (ascending) and renumber the kept layers 0..r−1, as fairseq's prune_state_dict does.
 * Shared weights are untied (each kept layer gets its own copy), so the result loads as a plain r-layer model.
 */
export function prunedCheckpoint(source: SafetensorsFile, keep: readonly number[], file = 'checkpoint'): SafetensorsFile {
  const meta = decodeMeta(file, source.metadata);
  const { layers, shareLayersEvery } = meta.config.model;
  validateKeep(keep, layers);
  const tensors = new Map<string, NamedTensor>();
  for (const [name, tensor] of source.tensors) if (!name.startsWith('layers.')) tensors.set(name, tensor);
  keep.forEach((oldLayer, newLayer) => {
    const prefix = `layers.${storageLayer(oldLayer, shareLayersEvery)}.`;
    for (const [name, tensor] of source.tensors) {
      if (name.startsWith(prefix)) tensors.set(`layers.${newLayer}.${name.slice(prefix.length)}`, tensor);
    }
  });
  const prunedMeta: CheckpointMeta = { ...meta, config: prunedConfig(meta.config, keep) };
  return { tensors, metadata: { ...encodeMeta(prunedMeta), prunedFrom: JSON.stringify({ layers, kept: keep }) } };
}

/** The config of the pruned model: r layers, no layersToKeep, per-layer rates of the kept layers. */
export function prunedConfig(config: DepthLabConfig, keep: readonly number[]): DepthLabConfig {
  const { layersToKeep: _dropped, ...rest } = config;
  const perLayer = config.layerdrop.perLayer && keep.map((layer) => config.layerdrop.perLayer![layer]);
  return {
    ...rest,
    model: { ...config.model, layers: keep.length, shareLayersEvery: 1 },
    layerdrop: { ...config.layerdrop, ...(perLayer ? { perLayer } : {}) },
    prune: { ...config.prune, targetLayers: undefined },
  };
}

export function validateKeep(keep: readonly number[], layers: number): void {
  if (keep.length === 0) throw new UserError(`no layers to keep; allowed: 1 to ${layers} distinct layers in 0..${layers - 1}`);
  keep.forEach((layer, i) => {
    if (!Number.isInteger(layer) || layer < 0 || layer >= layers) throw new UserError(`layer ${layer} does not exist; allowed: 0..${layers - 1}`);
    if (i > 0 && layer <= keep[i - 1]) throw new UserError(`layers to keep must be distinct and ascending; got ${keep.join(',')}`);
  });
}
