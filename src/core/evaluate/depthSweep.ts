import { tokensIn, type Batch, type LayeredModel } from '../model/layeredModel';
import { withCutCost, modelSize } from './cutCost';
import { differenceStdErr, evaluateBatches, type Evaluation } from './evaluate';

export interface DepthRow extends Evaluation {
  depth: number;
  /** The paired standard error of this loss minus the loss one layer deeper (the row before), on the same batches. */
  stepStdErr?: number;
  /** What the cut buys (cutCost.ts): parameters and weight bytes kept, forward tokens/s measured on the backend in use. */
  parameters?: number;
  weightBytes?: number;
  tokensPerSecond?: number;
}

/**
 * Every depth r = N … 1 with the selector's layers, evaluated without finetuning, in one walk per
 * batch that computes the sub-networks' common prefixes once (every-other: all share layer 0).
 */
export function depthSweep(model: LayeredModel, batches: Batch[], select: (target: number) => number[]): DepthRow[] {
  const depths = Array.from({ length: model.layers }, (_, i) => model.layers - i);
  const evaluated = evaluateBatches(model, batches, depths.map(select));
  const rows = depths.map((depth, i) => ({ depth, ...evaluated.evaluations[i], ...(i > 0 && batches.length > 1 && { stepStdErr: differenceStdErr(evaluated, i, i - 1) }) }));
  const tokensPerBatch = tokensIn(batches) / batches.length;
  return withCutCost(rows, modelSize(model), tokensPerBatch);
}
