import type { LayerStatistics } from '../statistics/importance';

/** How well the first-order estimates ranked the layers whose exact loss increase was measured too. */
export interface EstimateAgreement {
  layers: number;
  /** Spearman's rank correlation between estimate and exact value over those layers. */
  spearman: number;
}

/** Which loss increases are first-order estimates and how well they tracked the exact ones; empty when every layer's is exact. */
export function estimateNote(layers: readonly LayerStatistics[], agreement?: EstimateAgreement): string {
  const estimated = layers.filter((layer) => layer.lossIncrease === undefined).length;
  if (!estimated) return '';
  const tracked = agreement ? `, which ranked the ${agreement.layers} measured exactly with Spearman ρ = ${agreement.spearman.toFixed(2)}` : '';
  return `${estimated} of ${layers.length} are first-order estimates (gradient × activation), marked ~${tracked}`;
}
