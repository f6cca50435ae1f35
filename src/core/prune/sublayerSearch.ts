import { modelSize, stepsSize } from '../evaluate/cutCost';
import { differenceStdErr, evaluateBatches } from '../evaluate/evaluate';
import { type LayeredModel } from '../model/layeredModel';
import { tokensIn, type Batch } from '../data/batch';
import { stepsWithout, type LayerBlock } from '../model/layerParts';
import { LAYER_PARTS } from '../config/choices';
import type { PartIncrease } from '../statistics/partImportance';

/** The sub-block search after k removals: which blocks are gone (in the order removed), the loss and what the cut buys. */
export interface SublayerRow {
  removed: LayerBlock[];
  loss: number;
  stdErr?: number;
  /** Paired with the full model on the same batches. */
  deltaStdErr?: number;
  msPerBatch: number;
  parameters: number;
  weightBytes: number;
  tokensPerSecond?: number;
}

/**
 * BlockPruner's greedy search over attention and MLP blocks: each round removes the block whose
 * removal (on top of those already gone) raises the validation loss least, until none is left;
 * `width` bounds a round to the remaining blocks weakest when removed alone (`increases`). Every
 * round evaluates its candidates together with the full model, so each row's loss is paired with it.
 */
export function sublayerSearch(model: LayeredModel, batches: Batch[], increases: readonly PartIncrease[], width?: number): SublayerRow[] {
  const N = model.layers;
  const size = modelSize(model);
  const tokensPerBatch = tokensIn(batches) / batches.length;
  const alone = (block: LayerBlock) => increases[block.layer][block.part];
  const row = (removed: LayerBlock[], steps: number[], evaluated: ReturnType<typeof evaluateBatches>, i: number): SublayerRow => {
    const { loss, stdErr, msPerBatch } = evaluated.evaluations[i];
    return {
      removed,
      loss,
      stdErr,
      ...(i > 0 && { deltaStdErr: differenceStdErr(evaluated, i, 0) }),
      msPerBatch,
      ...stepsSize(size, steps),
      ...(msPerBatch > 0 && { tokensPerSecond: (1000 * tokensPerBatch) / msPerBatch }),
    };
  };
  const full = stepsWithout(N, []);
  let removed: LayerBlock[] = [];
  let remaining: LayerBlock[] = Array.from({ length: N }, (_, layer) => LAYER_PARTS.map((part) => ({ layer, part }))).flat();
  const rows: SublayerRow[] = [];
  while (remaining.length) {
    const candidates = width === undefined ? remaining : [...remaining].sort((a, b) => alone(a) - alone(b)).slice(0, width);
    const networks = [full, ...candidates.map((block) => stepsWithout(N, [...removed, block]))];
    const evaluated = evaluateBatches(model, batches, networks, true);
    if (!rows.length) rows.push(row([], full, evaluated, 0));
    let best = 1;
    for (let i = 2; i < networks.length; i++) if (evaluated.evaluations[i].loss < evaluated.evaluations[best].loss) best = i;
    const chosen = candidates[best - 1];
    removed = [...removed, chosen];
    remaining = remaining.filter((block) => block !== chosen);
    rows.push(row(removed, networks[best], evaluated, best));
  }
  return rows;
}
