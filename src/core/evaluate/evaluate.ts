import * as tf from '../backend/tf';
import type { Batch, Transformer } from '../model/transformer';

export interface Evaluation {
  layers: number[];
  /** Mean loss per prediction (nats). */
  loss: number;
  /** exp(loss), language models. */
  perplexity?: number;
  /** Share of correct labels, classification. */
  accuracy?: number;
  /** Wall-clock milliseconds per validation batch, forward pass only. */
  msPerBatch: number;
}

/** Quality and latency of the sub-network made of `layers`, on fixed validation batches; no finetuning. */
export function evaluate(model: Transformer, batches: Batch[], layers: readonly number[]): Evaluation {
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  const start = performance.now();
  for (const batch of batches) {
    const [loss, right] = tf.tidy(() => {
      const result = model.forward(batch, { layers, training: false });
      return [result.loss.dataSync()[0], result.correct?.dataSync()[0] ?? 0];
    });
    const n = model.shape.task === 'language-model' ? batch.size * batch.length : batch.size;
    lossSum += loss * n;
    correct += right;
    count += n;
  }
  const msPerBatch = (performance.now() - start) / batches.length;
  const loss = lossSum / count;
  return model.shape.task === 'language-model'
    ? { layers: [...layers], loss, perplexity: Math.exp(loss), msPerBatch }
    : { layers: [...layers], loss, accuracy: correct / count, msPerBatch };
}
