import * as tf from '../backend/tf';
import type { EarlyExitConfig } from '../config/schema';
import type { LayeredModel } from '../model/layeredModel';
import type { Batch } from '../data/batch';
import type { Rng } from '../random/rng';

/**
 * LayerSkip's early-exit loss weights (Elhoushi et al. 2024, eq. 4) for one step: the stream after
 * each active layer goes through the shared final norm and head, and exit l weighs
 * ẽ_l = scale·Σ_{i≤l} i (the last exit, the model's own output, weighs N − 1), times the curriculum's
 * C(t, l), normalised to sum 1. rotational: the exits at layers l ≡ t (mod rotation) are on at step t;
 * gradual: exits switch on from the last layer down, all on by half of training. Returns one weight per
 * entry of `active` (the last is the final readout), or undefined when early exit is off.
 */
export function earlyExitWeights(config: EarlyExitConfig, active: readonly number[], layers: number, step: number, steps: number): number[] | undefined {
  if (config.scale === 0 || active.length === 0) return undefined;
  const last = active.length - 1;
  const enabled = (layer: number) => {
    switch (config.curriculum) {
      case 'none':
        return true;
      case 'rotational':
        return layer % config.rotation === step % config.rotation;
      case 'gradual': {
        const switchedOn = Math.floor((step * 2 * (layers - 1)) / steps);
        return layer >= layers - 1 - switchedOn;
      }
    }
  };
  const raw = active.map((layer, i) => (i === last ? layers - 1 : enabled(layer) ? (config.scale * layer * (layer + 1)) / 2 : 0));
  const total = raw.reduce((a, b) => a + b, 0);
  return total > 0 ? raw.map((w) => w / total) : raw.map((_, i) => (i === last ? 1 : 0));
}

/**
 * The loss to train on: the final readout's, or with exit weights the weighted sum of the readouts
 * after each active layer. `loss` is always the final readout's, the number the run reports.
 */
export function trainingObjective(model: LayeredModel, batch: Batch, active: readonly number[], rng: Rng, exitWeights?: readonly number[]): { objective: tf.Scalar; loss: tf.Scalar } {
  const options = { training: true, rng };
  const stream = model.embed(batch, options);
  let objective: tf.Scalar | undefined;
  active.forEach((layer, i) => {
    stream.x = model.block(stream, layer, options);
    const weight = exitWeights?.[i] ?? 0;
    if (weight > 0 && i < active.length - 1) {
      const exit = model.readout(stream.x, batch).loss.mul(weight) as tf.Scalar;
      objective = objective ? objective.add(exit) : exit;
    }
  });
  const loss = model.readout(stream.x, batch).loss;
  if (!objective) return { objective: loss, loss };
  return { objective: objective.add(loss.mul(exitWeights![active.length - 1])) as tf.Scalar, loss };
}
