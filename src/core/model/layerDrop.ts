import type { LayerDropConfig } from '../config/schema';
import type { Rng } from '../random/rng';

/**
 * The drop probability of each layer. uniform: p; linear: p·l/(N−1);
 * exp: p·(e^{l·ln2/(N−1)} − 1), LayerSkip's D(l), which rises from 0 at the first layer to p at the last;
 * learned: p for every layer, where the learned rates start (train/learnedDropRates.ts).
 */
export function layerDropRates(config: LayerDropConfig, layers: number): number[] {
  if (config.perLayer) return [...config.perLayer];
  const position = (l: number) => (layers === 1 ? 1 : l / (layers - 1));
  return Array.from({ length: layers }, (_, l) => {
    switch (config.schedule) {
      case 'uniform':
      case 'learned':
        return config.rate;
      case 'linear':
        return config.rate * position(l);
      case 'exp':
        return config.rate * (Math.exp(position(l) * Math.LN2) - 1);
    }
  });
}

/**
 * One training forward pass's layers, as fairseq's LayerDropModuleList draws them: each layer
 * its own Bernoulli(p_l), one draw for the whole batch; a dropped layer is not computed at all.
 */
export function sampleActiveLayers(rates: readonly number[], rng: Rng): number[] {
  const active: number[] = [];
  rates.forEach((p, layer) => {
    if (rng.next() >= p) active.push(layer);
  });
  return active;
}

/** The layers evaluation runs: `layersToKeep` sorted, or all. */
export function evaluationLayers(layers: number, layersToKeep?: readonly number[]): number[] {
  return layersToKeep ? [...layersToKeep].sort((a, b) => a - b) : Array.from({ length: layers }, (_, l) => l);
}
