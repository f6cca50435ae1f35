import { differenceStdErr, evaluateBatches } from '../evaluate/evaluate';
import { UserError } from '../errors';
import type { LayeredModel } from '../model/layeredModel';
import type { Batch } from '../data/batch';
import { stepsWithout } from '../model/layerParts';
import { LAYER_PARTS } from '../config/choices';

/** A layer's two blocks, each removed alone: the loss increase over the full model and its paired standard error. */
export interface PartIncrease {
  layer: number;
  attention: number;
  attentionStdErr: number;
  mlp: number;
  mlpStdErr: number;
}

/** A model whose blocks cannot be left out alone (post-LN) is a user error saying why. */
export function requireSeparableParts(model: LayeredModel): void {
  if (model.partsInseparable) throw new UserError(`attention and MLP cannot be measured apart in this model: ${model.partsInseparable}`);
}

/**
 * For every layer, the loss increase when only its attention is removed and when only its MLP is
 * (FinerCut's sub-layers), each paired with the full model on the same batches; one walk of 2N + 1
 * sub-networks sharing their prefixes.
 */
export function partIncreases(model: LayeredModel, batches: Batch[]): PartIncrease[] {
  requireSeparableParts(model);
  const N = model.layers;
  const full = stepsWithout(N, []);
  const networks = [full, ...Array.from({ length: N }, (_, l) => LAYER_PARTS.map((part) => stepsWithout(N, [{ layer: l, part }]))).flat()];
  const evaluated = evaluateBatches(model, batches, networks, true);
  const increase = (i: number) => evaluated.evaluations[i].loss - evaluated.evaluations[0].loss;
  return Array.from({ length: N }, (_, layer) => {
    const [attention, mlp] = [1 + 2 * layer, 2 + 2 * layer];
    return { layer, attention: increase(attention), attentionStdErr: differenceStdErr(evaluated, attention, 0), mlp: increase(mlp), mlpStdErr: differenceStdErr(evaluated, mlp, 0) };
  });
}
