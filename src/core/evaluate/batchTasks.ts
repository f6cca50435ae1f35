import * as tf from '../backend/tf';
import type { Batch } from '../data/batch';
import type { BatchTask, LayeredModel, ReadoutGradient } from '../model/layeredModel';
import { forwardSharingPrefixes, forwardSharingSteps } from '../model/sharedPrefixes';
import { wholeLayer } from '../model/layerParts';
import { cosineSum } from '../ops/cosineSum';

export function runBatchTask(model: LayeredModel, batch: Batch, task: BatchTask): Float64Array {
  switch (task.kind) {
    case 'evaluate':
      return evaluateBatch(model, batch, task.steps ? task.subnetworks : task.subnetworks.map((layers) => layers.map(wholeLayer)));
    case 'layer-statistics':
      return layerStatisticsBatch(model, batch);
    case 'angular':
      return angularBatch(model, batch);
    case 'choices':
      return choicesBatch(model, batch, task.subnetworks);
    case 'estimates':
      return estimatesBatch(model, batch);
  }
}

function evaluateBatch(model: LayeredModel, batch: Batch, steps: number[][]): Float64Array {
  let count = 0;
  let classifies = false;
  const ms: number[] = [];
  const values = tf.tidy(() => {
    const results = forwardSharingSteps(model, batch, steps);
    count = results[0].count;
    classifies = results[0].correct !== undefined;
    for (const result of results) ms.push(result.ms);
    return tf.stack(results.flatMap((result) => [result.loss, result.correct ?? tf.scalar(0)])).dataSync() as Float32Array;
  });
  const out = new Float64Array(2 + 3 * steps.length);
  out[0] = count;
  out[1] = classifies ? 1 : 0;
  steps.forEach((_, i) => out.set([values[2 * i], values[2 * i + 1], ms[i]], 2 + 3 * i));
  return out;
}

function layerStatisticsBatch(model: LayeredModel, batch: Batch): Float64Array {
  const N = model.layers;
  const all = Array.from({ length: N }, (_, l) => l);
  const subnetworks = [all, ...all.map((skipped) => all.filter((l) => l !== skipped))];
  let count = 0;
  const values = tf.tidy(() => {
    const cosines = new Array<tf.Scalar>(N);
    // Layer l's branch is the full network's when every layer before it ran.
    const results = forwardSharingPrefixes(model, batch, subnetworks, (layer, before, input, output) => {
      if (before.length === layer) cosines[layer] = cosineSum(input, output);
    });
    count = results[0].count;
    return tf.stack([...results.map((result) => result.loss), ...cosines]).dataSync() as Float32Array;
  });
  return Float64Array.from([count, batch.size * batch.length, ...values]);
}

function angularBatch(model: LayeredModel, batch: Batch): Float64Array {
  const N = model.layers;
  // Each layer in a tidy of its own: a layer's intermediates (a streamed model's weights as its
  // kernels lay them out among them) are freed before the next layer runs.
  const values = tf.tidy(() => {
    const options = { training: false };
    const stream = model.embed(batch, options);
    const streams = [stream.x];
    for (let layer = 0; layer < N; layer++) streams.push(tf.tidy(() => model.block({ ...stream, x: streams[layer] }, layer, options)));
    return angleSums(streams).dataSync() as Float32Array;
  });
  return Float64Array.from([batch.size * batch.length, ...values]);
}

/** Σ arccos(cos(x_l, x_{l+n}))/π over the rows, for every n = 1…N and l = 0…N − n, of the N + 1 streams x_0…x_N. */
function angleSums(streams: tf.Tensor2D[]): tf.Tensor1D {
  return tf.tidy(() => {
    const unit = streams.map((x) => tf.tidy(() => tf.div(x, tf.norm(x, 'euclidean', -1, true).add(1e-12))));
    const pairs: tf.Scalar[] = [];
    for (let n = 1; n < streams.length; n++) {
      for (let l = 0; l + n < streams.length; l++) pairs.push(tf.tidy(() => tf.acos(tf.clipByValue(unit[l].mul(unit[l + n]).sum(-1), -1, 1)).sum().div(Math.PI) as tf.Scalar));
    }
    return tf.stack(pairs) as tf.Tensor1D;
  });
}

/**
 * One forward pass keeping the N + 1 streams, the readout's gradient, and one backward pass layer
 * by layer (each layer differentiated on its own, so a streamed model holds one layer's weights at
 * a time and reads each again going back): layer l's first-order loss increase is g_{l+1}·(x_l − x_{l+1}),
 * the change removing it makes to the stream leaving it times the loss's gradient there. The
 * forward's streams give Block Influence and the angular distances too. [predictions, tokens, full
 * loss, N estimates, N cosine sums, then angularBatch's sums].
 */
function estimatesBatch(model: LayeredModel, batch: Batch): Float64Array {
  const N = model.layers;
  let predictions = 0;
  const values = tf.tidy(() => {
    const options = { training: false };
    const stream = model.embed(batch, options);
    const streams = [stream.x];
    const cosines: tf.Scalar[] = [];
    for (let layer = 0; layer < N; layer++) {
      const output = tf.tidy(() => model.block({ ...stream, x: streams[layer] }, layer, options));
      cosines.push(cosineSum(streams[layer], output));
      streams.push(output);
    }
    const angles = angleSums(streams);
    const readout = readoutGradient(model, streams[N], batch);
    predictions = readout.count;
    const estimates = new Array<tf.Scalar>(N);
    let gradient = readout.gradient;
    for (let layer = N - 1; layer >= 0; layer--) {
      estimates[layer] = tf.tidy(() => gradient.mul(streams[layer].sub(streams[layer + 1])).sum() as tf.Scalar);
      if (layer === 0) break;
      const entering = tf.grad((x) => model.block({ ...stream, x: x as tf.Tensor2D }, layer, options))(streams[layer], gradient) as tf.Tensor2D;
      gradient.dispose();
      gradient = entering;
    }
    return tf.concat([tf.stack([readout.loss, ...estimates, ...cosines]), angles]).dataSync() as Float32Array;
  });
  return Float64Array.from([predictions, batch.size * batch.length, ...values]);
}

/** The model's readout and its gradient in the stream: its own where it has one, else TF.js's. */
function readoutGradient(model: LayeredModel, x: tf.Tensor2D, batch: Batch): ReadoutGradient {
  if (model.readoutGradient) return model.readoutGradient(x, batch);
  return { ...model.readout(x, batch), gradient: tf.grad((stream) => model.readout(stream as tf.Tensor2D, batch).loss)(x) as tf.Tensor2D };
}

function choicesBatch(model: LayeredModel, batch: Batch, subnetworks: number[][]): Float64Array {
  const { size, length, spans } = batch;
  const scored = new Float32Array(size * length);
  for (let row = 0; row < size; row++) scored.fill(1, row * length + spans![2 * row], row * length + spans![2 * row + 1]);
  const values = tf.tidy(() => {
    const mask = tf.tensor2d(scored, [size, length]);
    const losses = (xs: tf.Tensor2D[]) => (model.tokenLossesMany ? model.tokenLossesMany(xs, batch.targets) : xs.map((x) => model.tokenLosses!(x, batch.targets)));
    const read = (xs: tf.Tensor2D[]) => losses(xs).map((perToken) => ({ loss: perToken.reshape([size, length]).mul(mask).sum(1) }));
    return tf.stack(forwardSharingPrefixes(model, batch, subnetworks, undefined, read).map((result) => result.loss)).dataSync() as Float32Array;
  });
  return Float64Array.from([size, ...values]);
}
