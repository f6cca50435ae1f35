import * as tf from '../src/core/backend/tf';
import { evaluate } from '../src/core/evaluate/evaluate';
import type { PretrainedModel } from '../src/core/huggingface/pretrainedModel';

/**
 * Forward tokens/s of one window through every layer and the LM head, as the analysis evaluates it:
 * a first pass (compiles, warms caches) whose peak tensor memory is reported, then the median of
 * `repeats`.
 */
export async function forwardSpeed(model: PretrainedModel, vocabulary: number, window: number, repeats: number) {
  const ids = Int32Array.from({ length: window }, (_, i) => (i * 7919) % vocabulary);
  const all = Array.from({ length: model.layers }, (_, l) => l);
  const pass = () => {
    const begun = performance.now();
    evaluate(model, [{ size: 1, length: window, inputs: ids, targets: ids }], all);
    return performance.now() - begun;
  };
  const { peakBytes } = await tf.profile(pass);
  const times = Array.from({ length: repeats }, pass).sort((a, b) => a - b);
  return { tokensPerSecond: Math.round((window * 1000) / times[Math.floor(times.length / 2)]), window, peakTensorGB: +(peakBytes / 2 ** 30).toFixed(2) };
}
