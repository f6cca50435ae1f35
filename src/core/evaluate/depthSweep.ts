import type { Batch, LayeredModel } from '../model/layeredModel';
import { evaluateTogether, type Evaluation } from './evaluate';

export interface DepthRow extends Evaluation {
  depth: number;
}

/**
 * Every depth r = N … 1 with the selector's layers, evaluated without finetuning, in one walk per
 * batch that computes the sub-networks' common prefixes once (every-other: all share layer 0).
 */
export function depthSweep(model: LayeredModel, batches: Batch[], select: (target: number) => number[]): DepthRow[] {
  const depths = Array.from({ length: model.layers }, (_, i) => model.layers - i);
  const evaluations = evaluateTogether(model, batches, depths.map(select));
  return depths.map((depth, i) => ({ depth, ...evaluations[i] }));
}
