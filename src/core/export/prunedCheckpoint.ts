import { decodeMeta, encodeMeta, type CheckpointMeta } from '../checkpoint/modelCheckpoint';
import type { NamedTensor, SafetensorsFile } from '../checkpoint/safetensors';
import type { DepthLabConfig } from '../config/schema';
import { storageLayer } from '../model/parameters';
import { keptLayers } from '../prune/keptLayers';

/**
 * Keep `layers` (any order) and renumber the kept layers 0..r−1, as fairseq's prune_state_dict does.
 * Shared weights are untied (each kept layer gets its own copy), so the result loads as a plain r-layer model.
 */
export function prunedCheckpoint(source: SafetensorsFile, layers: readonly number[], file = 'checkpoint'): SafetensorsFile {
  const meta = decodeMeta(file, source.metadata);
  const { layers: depth, shareLayersEvery } = meta.config.model;
  const keep = keptLayers(layers, depth);
  const tensors = new Map<string, NamedTensor>();
  for (const [name, tensor] of source.tensors) if (!name.startsWith('layers.')) tensors.set(name, tensor);
  keep.forEach((oldLayer, newLayer) => {
    const prefix = `layers.${storageLayer(oldLayer, shareLayersEvery)}.`;
    for (const [name, tensor] of source.tensors) {
      if (name.startsWith(prefix)) tensors.set(`layers.${newLayer}.${name.slice(prefix.length)}`, tensor);
    }
  });
  const prunedMeta: CheckpointMeta = { ...meta, config: prunedConfig(meta.config, keep) };
  return { tensors, metadata: { ...encodeMeta(prunedMeta), prunedFrom: JSON.stringify({ layers: depth, kept: keep }) } };
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
