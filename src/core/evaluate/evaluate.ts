import type { LayeredModel } from '../model/layeredModel';
import type { Batch } from '../data/batch';
import { pairedStandardError, standardError } from './standardError';
import { batchResults } from './evaluationThreads';
import { stepLayer } from '../model/layerParts';

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

/** `steps`: the sub-networks are lists of layerParts.ts steps (a layer without its attention or MLP), their `layers` the layers they touch. */
export function evaluateBatches(model: LayeredModel, batches: Batch[], subnetworks: ReadonlyArray<readonly number[]>, steps = false): BatchEvaluations {
  const S = subnetworks.length;
  const perBatch = batchResults(model, batches, { kind: 'evaluate', subnetworks: subnetworks.map((layers) => [...layers]), steps });
  const weights = perBatch.map((values) => values[0]);
  const count = weights.reduce((a, b) => a + b, 0);
  const classifies = perBatch[0]?.[1] === 1;
  const column = (i: number, offset: number) => perBatch.map((values) => values[2 + 3 * i + offset]);
  const batchLosses = Array.from({ length: S }, (_, i) => column(i, 0));
  const evaluations = subnetworks.map((layers, i) => {
    const loss = batchLosses[i].reduce((sum, value, b) => sum + value * weights[b], 0) / count;
    const msPerBatch = column(i, 2).reduce((a, b) => a + b, 0) / batches.length;
    const errors = { stdErr: standardError(batchLosses[i], weights), ...(i > 0 && { deltaStdErr: pairedStandardError(batchLosses[i], batchLosses[0], weights) }) };
    const quality = classifies ? { accuracy: column(i, 1).reduce((a, b) => a + b, 0) / count } : { perplexity: Math.exp(loss) };
    return { layers: steps ? [...new Set(layers.map(stepLayer))] : [...layers], loss, ...quality, msPerBatch, ...errors };
  });
  return { evaluations, batchLosses, weights };
}
