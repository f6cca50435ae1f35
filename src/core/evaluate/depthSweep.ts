import { type LayeredModel } from '../model/layeredModel';
import { tokensIn, type Batch } from '../data/batch';
import type { PreparedTask } from '../tasks/taskBatches';
import { pairedOutcomeStdErr, scoreTask, type TaskScore } from './taskScores';
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
  /** Accuracy on each multiple-choice task measured beside the loss, in the order given. */
  tasks?: TaskScore[];
}

/**
 * Every depth r = N … 1 with the selector's layers, evaluated without finetuning, in one walk per
 * batch that computes the sub-networks' common prefixes once (every-other: all share layer 0);
 * and each task's accuracy at every depth, paired item by item with the depth above.
 */
export function depthSweep(model: LayeredModel, batches: Batch[], select: (target: number) => number[], tasks: readonly PreparedTask[] = []): DepthRow[] {
  const depths = Array.from({ length: model.layers }, (_, i) => model.layers - i);
  const subnetworks = depths.map(select);
  const evaluated = evaluateBatches(model, batches, subnetworks);
  const scored = tasks.map((task) => scoreTask(model, task, subnetworks));
  const rows = depths.map((depth, i) => ({
    depth,
    ...evaluated.evaluations[i],
    ...(i > 0 && batches.length > 1 && { stepStdErr: differenceStdErr(evaluated, i, i - 1) }),
    ...(tasks.length && {
      tasks: scored.map(({ scores, outcomes }) => ({ ...scores[i], ...(i > 0 && { accStepStdErr: pairedOutcomeStdErr(outcomes[i].acc, outcomes[i - 1].acc) }) })),
    }),
  }));
  const tokensPerBatch = tokensIn(batches) / batches.length;
  return withCutCost(rows, modelSize(model), tokensPerBatch);
}
