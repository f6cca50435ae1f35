import * as tf from '../backend/tf';
import type { Batch, Transformer } from '../model/transformer';
import type { Rng } from '../random/rng';
import type { AdamW } from './adamW';
import { clipGradients, gradientNorms, type GradientNorms } from './gradientNorms';

export interface StepOutcome {
  loss: number;
  norms: GradientNorms;
}

/**
 * One optimisation step on `batch` through the `active` layers only (LayerDrop: the others are
 * not computed and get no gradient): forward, backward, global-norm clipping, AdamW.
 */
export function trainingStep(model: Transformer, optimizer: AdamW, batch: Batch, active: number[], lr: number, clipNorm: number, rng: Rng): StepOutcome {
  const variables = [...model.params.values()];
  const paramOfVariable = new Map([...model.params].map(([name, variable]) => [variable.name, name]));
  const { value, grads } = tf.variableGrads(() => model.forward(batch, { layers: active, training: true, rng }).loss, variables);
  const named = new Map(Object.entries(grads).map(([variable, grad]) => [paramOfVariable.get(variable)!, grad]));
  const norms = gradientNorms(named, model.layers);
  const clipped = clipGradients(named, norms.global, clipNorm);
  optimizer.apply(model.params, clipped, lr);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...named.values(), ...clipped.values()]);
  return { loss, norms };
}
