import type { DepthLabConfig } from '../config/schema';
import { recommendedRate } from '../prune/recommendedRate';

/** One model the comparison trains: the same data, seed and step budget; its own depth and LayerDrop rate. */
export interface CompareVariant {
  key: 'layerdrop' | 'no-layerdrop' | 'scratch' | 'config-rate';
  label: string;
  layers: number;
  rate: number;
}

/**
 * The paper's experiment at this config's scale: N layers trained with p* = 1 − r/N, N layers
 * without LayerDrop, r layers from scratch, and N layers at the config's own rate when it differs.
 */
export function compareVariants(config: DepthLabConfig, target: number): CompareVariant[] {
  const N = config.model.layers;
  const rate = +recommendedRate(N, target).toFixed(4);
  const variants: CompareVariant[] = [
    { key: 'layerdrop', label: `${N} layers, LayerDrop ${rate}`, layers: N, rate },
    { key: 'no-layerdrop', label: `${N} layers, no LayerDrop`, layers: N, rate: 0 },
    { key: 'scratch', label: `${target} layers from scratch`, layers: target, rate: 0 },
  ];
  const own = config.layerdrop.rate;
  if (own > 0 && Math.abs(own - rate) > 1e-9) variants.push({ key: 'config-rate', label: `${N} layers, LayerDrop ${own} (the config's)`, layers: N, rate: own });
  return variants;
}

/** The config a variant trains with: depth and a uniform rate changed, nothing else. */
export function variantConfig(config: DepthLabConfig, variant: CompareVariant): DepthLabConfig {
  return {
    ...config,
    model: { ...config.model, layers: variant.layers },
    layerdrop: { ...config.layerdrop, rate: variant.rate, schedule: 'uniform', perLayer: undefined },
    layersToKeep: undefined,
    prune: { ...config.prune, targetLayers: undefined },
  };
}
