import * as tf from '../backend/tf';
import type { Batch } from '../data/batch';
import type { Transformer } from '../model/transformer';
import type { Rng } from '../random/rng';
import type { AdamW } from './adamW';
import { trainingObjective } from './earlyExit';
import { clipGradients, gradientNorms, type GradientNorms } from './gradientNorms';

export interface StepOutcome {
  loss: number;
  norms: GradientNorms;
}

/**
 * Mean loss of `batch` through the `active` layers and the gradient of every parameter that took
 * part, by name; with `exitWeights` (earlyExit.ts) the gradient is of the weighted early-exit loss.
 */
export function computeGradients(model: Transformer, batch: Batch, active: readonly number[], rng: Rng, exitWeights?: readonly number[]): { loss: number; grads: Map<string, tf.Tensor> } {
  const variables = [...model.params.values()];
  const paramOfVariable = new Map([...model.params].map(([name, variable]) => [variable.name, name]));
  let finalLoss: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const { objective, loss } = trainingObjective(model, batch, active, rng, exitWeights);
    if (objective !== loss) finalLoss = tf.keep(loss);
    return objective;
  }, variables);
  const loss = (finalLoss ?? value).dataSync()[0];
  tf.dispose([value, ...(finalLoss ? [finalLoss] : [])]);
  return { loss, grads: new Map(Object.entries(grads).map(([variable, grad]) => [paramOfVariable.get(variable)!, grad])) };
}

/** Global-norm clipping and AdamW on gradients by name (their norms, where already known); disposes them. */
export function applyGradients(model: Transformer, optimizer: AdamW, grads: Map<string, tf.Tensor>, lr: number, clipNorm: number, norms = gradientNorms(grads, model.layers)): GradientNorms {
  const clipped = clipGradients(grads, norms.global, clipNorm);
  optimizer.apply(model.params, clipped, lr);
  tf.dispose([...grads.values(), ...clipped.values()]);
  return norms;
}

/**
 * One optimisation step on `batch` through the `active` layers only (LayerDrop: the others are
 * not computed and get no gradient): forward, backward, global-norm clipping, AdamW.
 */
export function trainingStep(model: Transformer, optimizer: AdamW, batch: Batch, active: number[], lr: number, clipNorm: number, rng: Rng, exitWeights?: readonly number[]): StepOutcome {
  const { loss, grads } = computeGradients(model, batch, active, rng, exitWeights);
  return { loss, norms: applyGradients(model, optimizer, grads, lr, clipNorm) };
}
