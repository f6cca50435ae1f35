import { decodeMeta, encodeMeta, type CheckpointMeta } from '../checkpoint/modelCheckpoint';
import type { NamedTensor, SafetensorsFile } from '../checkpoint/safetensors';
import type { DepthLabConfig } from '../config/schema';
import { storageLayer } from '../model/parameters';
import { keptLayers } from '../prune/keptLayers';
import type { LayerBlock } from '../model/layerParts';
import { UserError } from '../errors';

/**
 * Keep `layers` (any order) and renumber the kept layers 0..r−1, as fairseq's prune_state_dict does;
 * `skipBlocks` (original indices, in kept layers) join the model's own as model.skipBlocks. Shared
 * weights are untied (each kept layer gets its own copy), so the result loads as a plain r-layer
 * model. A skipped block's weights stay in the file, unused.
 */
export function prunedCheckpoint(source: SafetensorsFile, layers: readonly number[], file = 'checkpoint', skipBlocks: readonly LayerBlock[] = []): SafetensorsFile {
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
  const prunedMeta: CheckpointMeta = { ...meta, config: prunedConfig(meta.config, keep, skipBlocks) };
  return { tensors, metadata: { ...encodeMeta(prunedMeta), prunedFrom: JSON.stringify({ layers: depth, kept: keep }) } };
}

/** The config of the pruned model: r layers, no layersToKeep, per-layer rates and skipped blocks of the kept layers. */
export function prunedConfig(config: DepthLabConfig, keep: readonly number[], skipBlocks: readonly LayerBlock[] = []): DepthLabConfig {
  const { layersToKeep: _dropped, ...rest } = config;
  const perLayer = config.layerdrop.perLayer && keep.map((layer) => config.layerdrop.perLayer![layer]);
  for (const { layer, part } of skipBlocks) {
    if (!keep.includes(layer)) throw new UserError(`--skip-blocks ${part}:${layer}: layer ${layer} is not kept (kept: ${keep.join(',')}); a block can be left out of a kept layer only`);
  }
  const skipped = [...(config.model.skipBlocks ?? []), ...skipBlocks].filter(({ layer }) => keep.includes(layer)).map(({ layer, part }) => ({ layer: keep.indexOf(layer), part }));
  const whole = skipped.find((block, i) => skipped.some((other, j) => j !== i && other.layer === block.layer));
  if (whole) throw new UserError(`layer ${keep[whole.layer]} would lose its attention and its MLP: leave it out whole instead (--layers without ${keep[whole.layer]})`);
  const { skipBlocks: _own, ...model } = config.model;
  return {
    ...rest,
    model: { ...model, layers: keep.length, shareLayersEvery: 1, ...(skipped.length && { skipBlocks: skipped.sort((a, b) => a.layer - b.layer) }) },
    layerdrop: { ...config.layerdrop, ...(perLayer ? { perLayer } : {}) },
    prune: { ...config.prune, targetLayers: undefined },
  };
}
