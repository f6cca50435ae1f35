import type { Batch } from '../data/batch';
import type { EventSink } from '../events';
import { walkCost, type WalkCost } from '../evaluate/walkCost';
import type { LayeredModel } from '../model/layeredModel';
import type { EstimateAgreement } from '../report/estimateNote';
import type { LayerStatistics } from '../statistics/importance';
import { estimatedLayerStatistics, exactLossIncreases, removalSubnetworks, type EstimatedLayers } from '../statistics/lossEstimates';
import { spearman } from '../statistics/rankCorrelation';

/**
 * The order in which exact removals settle a choice at depth `target`: ranked by estimate (least
 * important first), the N − target weakest are dropped, so the layers either side of that line
 * decide it, then the ones further out. Ties go to the weaker layer.
 */
export function decidingOrder(estimates: readonly number[], target: number): number[] {
  const dropped = estimates.length - target;
  const ranked = estimates.map((estimate, layer) => ({ estimate, layer })).sort((a, b) => a.estimate - b.estimate || a.layer - b.layer);
  const distance = (rank: number) => (rank < dropped ? dropped - 1 - rank : rank - dropped);
  return ranked.map(({ layer }, rank) => ({ layer, rank, away: distance(rank) })).sort((a, b) => a.away - b.away || a.rank - b.rank).map(({ layer }) => layer);
}

/**
 * The estimates pass a batch: N layers forward, and going back each layer's forward again and its
 * backward in the stream alone (about its forward: no weight gradients), its weights read again;
 * the readout and its gradient (about twice the readout) in one read of a head left in the file.
 * On the 8B shapes it took 260 s a window where this counts 378 s (2026-12-07).
 */
export const estimatesCost = (layers: number): WalkCost => ({ blocks: 3 * layers, readouts: 3, layers: 2 * layers });

/** Exact removals measured together in one walk: their prefixes shared, the budget checked between walks. */
export const EXACT_WALK = 4;

/** The walk removing each of `removed` alone. */
export const removalCost = (layers: number, removed: readonly number[]): WalkCost => walkCost(removalSubnetworks(layers, removed));

/**
 * Every layer's first-order estimate, then exact loss increases for the layers that decide the
 * choice at `target`, in `decidingOrder`, a walk of up to EXACT_WALK at a time while `fits` says the
 * next walk fits; the rest keep their estimate alone. Where three or more have both, how well the
 * estimates ranked them.
 */
export function estimatesFirst(
  model: LayeredModel,
  batches: Batch[],
  target: number,
  run: <T>(cost: WalkCost, work: () => T) => T,
  fits: (cost: WalkCost) => boolean,
  onEvent?: EventSink,
): { estimated: EstimatedLayers; statistics: LayerStatistics[]; agreement?: EstimateAgreement; unmeasured: number[] } {
  const N = model.layers;
  const estimated = run(estimatesCost(N), () => estimatedLayerStatistics(model, batches));
  const order = decidingOrder(estimated.layers.map((layer) => layer.lossIncreaseEstimate!), Math.min(target, N));
  const statistics = estimated.layers.map((layer) => ({ ...layer }));
  while (order.length) {
    let walk = order.slice(0, EXACT_WALK);
    while (walk.length && !fits(removalCost(N, walk))) walk = walk.slice(0, -1);
    if (!walk.length) break;
    const cost = removalCost(N, walk);
    onEvent?.({ type: 'phase', phase: 'importance', detail: `exact loss increase of layer${walk.length > 1 ? 's' : ''} ${walk.join(', ')}, in the order the estimates put them around the cut at ${target}` });
    const exact = run(cost, () => exactLossIncreases(model, batches, walk, estimated));
    walk.forEach((layer, i) => Object.assign(statistics[layer], exact[i]));
    order.splice(0, walk.length);
  }
  const both = statistics.filter((layer) => layer.lossIncrease !== undefined);
  const agreement = both.length >= 3 ? { layers: both.length, spearman: spearman(both.map((l) => l.lossIncreaseEstimate!), both.map((l) => l.lossIncrease!)) } : undefined;
  return { estimated, statistics, ...(agreement && Number.isFinite(agreement.spearman) && { agreement }), unmeasured: order.sort((a, b) => a - b) };
}
