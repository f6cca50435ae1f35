import type { LayeredModel } from '../model/layeredModel';
import type { Batch } from '../data/batch';
import type { Rng } from '../random/rng';
import { pooledLayerInputs } from '../statistics/pooledLayerInputs';

/** No layer is dropped more often than this, unless the target rate itself is higher. */
export const MAX_LEARNED_RATE = 0.9;
const HIDDEN = 8;
const LEARNING_RATE = 1e-2;
const BASELINE_DECAY = 0.95;
const [BETA1, BETA2, EPSILON] = [0.9, 0.999, 1e-8];
const INIT_STD = 0.1;
/** Steps between re-reading the streams the rates are computed from (a full forward pass each). */
export const LEARNED_REFRESH_EVERY = 10;

/** What a checkpoint keeps of the scorer so that a resumed run continues exactly. */
export interface LearnedRatesState {
  weights: number[];
  firstMoment: number[];
  secondMoment: number[];
  updates: number;
  /** Running mean of the training loss: REINFORCE's baseline. */
  baseline: number | null;
  /** The pooled streams entering each layer the rates are computed from now. */
  inputs: number[][] | null;
}

/**
 * Drop rates that sum to N·p: `budget = N·p` is shared out by a softmax of `scores`, and a layer
 * whose share would exceed `cap` is held at `cap` with its excess re-shared among the others
 * (repeated until none exceeds it). Returns the rates and which layers are held at the cap.
 */
export function cappedSoftmaxRates(scores: readonly number[], target: number, cap = Math.max(MAX_LEARNED_RATE, target)): { rates: number[]; capped: boolean[] } {
  const N = scores.length;
  const capped = new Array<boolean>(N).fill(false);
  const rates = new Array<number>(N).fill(0);
  for (;;) {
    const free = scores.map((_, d) => d).filter((d) => !capped[d]);
    const budget = N * target - (N - free.length) * cap;
    const top = Math.max(...free.map((d) => scores[d]));
    const exps = free.map((d) => Math.exp(scores[d] - top));
    const total = exps.reduce((a, b) => a + b, 0);
    free.forEach((d, i) => (rates[d] = (budget * exps[i]) / total));
    const over = free.filter((d) => rates[d] > cap);
    if (over.length === 0) return { rates, capped };
    for (const d of over) {
      capped[d] = true;
      rates[d] = cap;
    }
  }
}

/**
 * Learned LayerDrop rates, the data-driven pruning of Fan et al. (2019, §4): the rate p_d of the
 * layer at depth d is a small non-linear scorer of the stream entering that layer,
 * s_d = v_d·tanh(U·h_d + c) + b_d with h_d the token mean of the layer-normalised stream, turned
 * into rates by `cappedSoftmaxRates` so that they average to the target p. Dropping is discrete, so
 * the scorer learns by REINFORCE: after each step it moves along (L − baseline)·∇ log P(drops),
 * which lowers the rate of layers whose absence raised the loss. At inference the r layers with
 * the lowest rates averaged over validation data are kept (importance metric `learned-rate`).
 */
export class LearnedDropRates {
  private readonly state: LearnedRatesState;
  private readonly dims: number;

  constructor(
    readonly layers: number,
    readonly dModel: number,
    readonly target: number,
    init: Rng | LearnedRatesState,
  ) {
    this.dims = HIDDEN * dModel + HIDDEN + layers * HIDDEN + layers;
    if (!('next' in init)) {
      if (init.weights.length !== this.dims) throw new Error(`learned drop rates: saved scorer has ${init.weights.length} weights, expected ${this.dims}`);
      this.state = structuredClone(init);
      return;
    }
    const weights = Array.from({ length: this.dims }, () => init.normal() * INIT_STD);
    // Start every layer at the same score so the first rates are the target, as with a uniform schedule.
    weights.fill(0, HIDDEN * dModel + HIDDEN);
    this.state = { weights, firstMoment: new Array(this.dims).fill(0), secondMoment: new Array(this.dims).fill(0), updates: 0, baseline: null, inputs: null };
  }

  /** The rates for the next steps: from the last observed streams, or the target before any. */
  rates(): number[] {
    return this.state.inputs ? this.ratesFor(this.state.inputs) : new Array(this.layers).fill(this.target);
  }

  /** Rates given the pooled streams entering each layer ([layer][dModel]). */
  ratesFor(inputs: ReadonlyArray<ArrayLike<number>>): number[] {
    return cappedSoftmaxRates(this.forward(inputs).scores, this.target).rates;
  }

  /** Base the next steps' rates on these pooled streams. */
  observe(inputs: ReadonlyArray<ArrayLike<number>>): void {
    this.state.inputs = inputs.map((row) => Array.from(row));
  }

  /** One REINFORCE step after a training step that dropped `dropped` (per layer) and reached `loss`. */
  update(dropped: readonly boolean[], loss: number): void {
    const { state } = this;
    const baseline = state.baseline ?? loss;
    state.baseline = BASELINE_DECAY * baseline + (1 - BASELINE_DECAY) * loss;
    const advantage = loss - baseline;
    if (!state.inputs || advantage === 0) return;
    const { scores, hidden } = this.forward(state.inputs);
    const { rates, capped } = cappedSoftmaxRates(scores, this.target);
    // d log P(drops)/d p_d, then through the softmax over the free layers: p_d = B·q_d.
    const perRate = rates.map((p, d) => (dropped[d] ? 1 / p : -1 / (1 - p)));
    const free = rates.map((_, d) => d).filter((d) => !capped[d]);
    const budget = free.reduce((sum, d) => sum + rates[d], 0);
    const mean = free.reduce((sum, d) => sum + perRate[d] * rates[d], 0) / budget;
    const perScore = rates.map((p, d) => (capped[d] ? 0 : p * (perRate[d] - mean)));
    const grad = this.backward(state.inputs, hidden, perScore.map((g) => g * advantage));
    this.adam(grad);
  }

  snapshot(): LearnedRatesState {
    return structuredClone(this.state);
  }

  private forward(inputs: ReadonlyArray<ArrayLike<number>>): { scores: number[]; hidden: number[][] } {
    const w = this.state.weights;
    const { U, c, v, b } = this.offsets();
    const hidden = inputs.map((h) =>
      Array.from({ length: HIDDEN }, (_, j) => {
        let sum = w[c + j];
        for (let k = 0; k < this.dModel; k++) sum += w[U + j * this.dModel + k] * h[k];
        return Math.tanh(sum);
      }),
    );
    const scores = hidden.map((a, d) => a.reduce((sum, aj, j) => sum + w[v + d * HIDDEN + j] * aj, w[b + d]));
    return { scores, hidden };
  }

  /** Gradient of Σ_d g_d·s_d with respect to every scorer weight. */
  private backward(inputs: ReadonlyArray<ArrayLike<number>>, hidden: number[][], g: number[]): Float64Array {
    const w = this.state.weights;
    const { U, c, v, b } = this.offsets();
    const grad = new Float64Array(this.dims);
    hidden.forEach((a, d) => {
      grad[b + d] = g[d];
      for (let j = 0; j < HIDDEN; j++) {
        grad[v + d * HIDDEN + j] = g[d] * a[j];
        const pre = g[d] * w[v + d * HIDDEN + j] * (1 - a[j] * a[j]);
        grad[c + j] += pre;
        for (let k = 0; k < this.dModel; k++) grad[U + j * this.dModel + k] += pre * inputs[d][k];
      }
    });
    return grad;
  }

  private adam(grad: Float64Array): void {
    const { weights, firstMoment: m, secondMoment: s } = this.state;
    const t = ++this.state.updates;
    const correction1 = 1 - BETA1 ** t;
    const correction2 = 1 - BETA2 ** t;
    for (let i = 0; i < this.dims; i++) {
      m[i] = BETA1 * m[i] + (1 - BETA1) * grad[i];
      s[i] = BETA2 * s[i] + (1 - BETA2) * grad[i] * grad[i];
      weights[i] -= (LEARNING_RATE * (m[i] / correction1)) / (Math.sqrt(s[i] / correction2) + EPSILON);
    }
  }

  private offsets() {
    const U = 0;
    const c = HIDDEN * this.dModel;
    const v = c + HIDDEN;
    const b = v + this.layers * HIDDEN;
    return { U, c, v, b };
  }
}

/** The scorer's rates averaged over batches (validation data): what inference ranks layers by. */
export function learnedRatesOn(scorer: LearnedDropRates, model: LayeredModel, batches: Batch[]): number[] {
  const sums = new Array<number>(scorer.layers).fill(0);
  for (const batch of batches) scorer.ratesFor(pooledLayerInputs(model, batch)).forEach((rate, layer) => (sums[layer] += rate));
  return sums.map((sum) => sum / batches.length);
}
