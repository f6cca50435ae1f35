import { addCosts, walkCost, type WalkCost } from '../evaluate/walkCost';
import type { EventSink } from '../events';
import type { LayeredModel } from '../model/layeredModel';
import type { Batch } from '../data/batch';
import { sublayerSearch, type SublayerRow } from '../prune/sublayerSearch';
import { partIncreases, type PartIncrease } from '../statistics/partImportance';
import { stepsWithout } from '../model/layerParts';
import { LAYER_PARTS } from '../config/choices';

export interface SublayerMeasurements {
  parts: PartIncrease[];
  sublayerSearch: SublayerRow[];
}

/** Each layer's attention and MLP removed alone, then the greedy search over them (`width`: candidates a round). */
export function measureSublayers(model: LayeredModel, batches: Batch[], width: number | undefined, onEvent?: EventSink): SublayerMeasurements {
  onEvent?.({ type: 'phase', phase: 'sublayers', detail: `each layer's attention and MLP removed alone, then ${2 * model.layers} rounds of greedy removal${width === undefined ? '' : ` among the ${width} weakest`}` });
  const parts = partIncreases(model, batches);
  return { parts, sublayerSearch: sublayerSearch(model, batches, parts, width) };
}

/**
 * Per batch: the parts' walk exactly, and a bound on the search's (each of its 2N rounds at most the
 * full model and its candidates, each candidate at most a full pass).
 */
export function sublayerCost(layers: number, width?: number): WalkCost {
  const full = stepsWithout(layers, []);
  const parts = walkCost([full, ...Array.from({ length: layers }, (_, l) => LAYER_PARTS.map((part) => stepsWithout(layers, [{ layer: l, part }]))).flat()]);
  const rounds = Array.from({ length: 2 * layers }, (_, r) => {
    const candidates = Math.min(width ?? Infinity, 2 * layers - r);
    return { blocks: layers * (1 + candidates), readouts: 1 + candidates, layers };
  });
  return addCosts(parts, ...rounds);
}
