import * as tf from '../backend/tf';
import { forwardSharingPrefixes } from '../model/sharedPrefixes';
import type { Batch, LayeredModel } from '../model/layeredModel';
import { pairedStandardError, standardError } from './standardError';

export interface Evaluation {
  layers: number[];
  /** Mean loss per prediction (nats). */
  loss: number;
  /** exp(loss), language models. */
  perplexity?: number;
  /** Share of correct labels, classification. */
  accuracy?: number;
  /** Wall-clock milliseconds per validation batch of this sub-network's forward pass. */
  msPerBatch: number;
  /** Standard error of `loss` over the validation batches (standardError.ts); absent in files from before it existed. */
  stdErr?: number;
  /** Evaluated beside others: the paired standard error of this loss minus the first sub-network's (the full model in a sweep). */
  deltaStdErr?: number;
}

/** Quality and latency of the sub-network made of `layers`, on fixed validation batches; no finetuning. */
export function evaluate(model: LayeredModel, batches: Batch[], layers: readonly number[]): Evaluation {
  return evaluateTogether(model, batches, [layers])[0];
}

/** `evaluate` for several sub-networks on the same batches, each shared prefix computed once per batch. */
export function evaluateTogether(model: LayeredModel, batches: Batch[], subnetworks: ReadonlyArray<readonly number[]>): Evaluation[] {
  return evaluateBatches(model, batches, subnetworks).evaluations;
}

/** Evaluations with what pairing them needs: each sub-network's mean loss per batch, and each batch's predictions. */
export interface BatchEvaluations {
  evaluations: Evaluation[];
  batchLosses: number[][];
  weights: number[];
}

/** The paired standard error of sub-network a's loss minus b's, evaluated together. */
export const differenceStdErr = ({ batchLosses, weights }: BatchEvaluations, a: number, b: number) => pairedStandardError(batchLosses[a], batchLosses[b], weights);

export function evaluateBatches(model: LayeredModel, batches: Batch[], subnetworks: ReadonlyArray<readonly number[]>): BatchEvaluations {
  const batchLosses = subnetworks.map((): number[] => []);
  const weights: number[] = [];
  const lossSums = subnetworks.map(() => 0);
  const correct = subnetworks.map(() => 0);
  const ms = subnetworks.map(() => 0);
  let count = 0;
  let classifies = false;
  for (const batch of batches) {
    let n = 0;
    const values = tf.tidy(() => {
      const results = forwardSharingPrefixes(model, batch, subnetworks);
      results.forEach((result, i) => (ms[i] += result.ms));
      n = results[0].count;
      classifies = results[0].correct !== undefined;
      return tf.stack(results.flatMap((result) => [result.loss, result.correct ?? tf.scalar(0)])).dataSync();
    });
    subnetworks.forEach((_, i) => {
      lossSums[i] += values[2 * i] * n;
      correct[i] += values[2 * i + 1];
      batchLosses[i].push(values[2 * i]);
    });
    weights.push(n);
    count += n;
  }
  const evaluations = subnetworks.map((layers, i) => {
    const loss = lossSums[i] / count;
    const msPerBatch = ms[i] / batches.length;
    const errors = { stdErr: standardError(batchLosses[i], weights), ...(i > 0 && { deltaStdErr: pairedStandardError(batchLosses[i], batchLosses[0], weights) }) };
    const quality = classifies ? { accuracy: correct[i] / count } : { perplexity: Math.exp(loss) };
    return { layers: [...layers], loss, ...quality, msPerBatch, ...errors };
  });
  return { evaluations, batchLosses, weights };
}
