import { adamWStep } from '../ops/adamWStep';
import * as tf from '../backend/tf';
import type { Transformer } from '../model/transformer';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

export const ADAMW_DEFAULTS: Omit<AdamWOptions, 'weightDecay'> = { beta1: 0.9, beta2: 0.98, epsilon: 1e-8 };

/**
 * Decoupled weight decay Adam. As in PyTorch, a parameter without a gradient this step (a dropped
 * layer's) is skipped entirely: its moments, step count and weights stay as they were.
 */
export class AdamW {
  readonly firstMoments = new Map<string, tf.Variable>();
  readonly secondMoments = new Map<string, tf.Variable>();
  readonly steps = new Map<string, number>();

  constructor(
    private readonly options: AdamWOptions,
    /** Which parameters decay (matrices) and which do not (biases, norms). */
    private readonly decays: (name: string) => boolean,
  ) {}

  apply(params: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>, lr: number): void {
    const { beta1, beta2, epsilon, weightDecay } = this.options;
    for (const [name, grad] of grads) {
      const param = params.get(name)!;
      const t = (this.steps.get(name) ?? 0) + 1;
      this.steps.set(name, t);
      const m = this.moment(this.firstMoments, name, param);
      const v = this.moment(this.secondMoments, name, param);
      tf.tidy(() => {
        const decay = this.decays(name) ? weightDecay : 0;
        const [newParam, newM, newV] = adamWStep(param, grad, m, v, { beta1, beta2, epsilon, lr, decay, step: t });
        m.assign(newM);
        v.assign(newV);
        param.assign(newParam);
      });
    }
  }

  private moment(store: Map<string, tf.Variable>, name: string, like: tf.Tensor): tf.Variable {
    let value = store.get(name);
    if (!value) {
      value = ownedVariable(tf.zerosLike(like));
      store.set(name, value);
    }
    return value;
  }

  restore(store: 'first' | 'second', name: string, initial: tf.Tensor, steps: number): void {
    (store === 'first' ? this.firstMoments : this.secondMoments).set(name, ownedVariable(initial));
    this.steps.set(name, steps);
  }

  dispose(): void {
    for (const value of [...this.firstMoments.values(), ...this.secondMoments.values()]) value.dispose();
    this.firstMoments.clear();
    this.secondMoments.clear();
  }
}

/** A non-trainable variable that takes over `initial` (tf.variable copies it, so the original is disposed). */
function ownedVariable(initial: tf.Tensor): tf.Variable {
  const value = tf.variable(initial, false);
  initial.dispose();
  return value;
}

/** AdamW that decays the model's matrices but not its biases and norms. */
export function adamWFor(model: Transformer, weightDecay: number): AdamW {
  const decays = new Set(model.specs.filter((spec) => spec.decay).map((spec) => spec.name));
  return new AdamW({ ...ADAMW_DEFAULTS, weightDecay }, (name) => decays.has(name));
}
