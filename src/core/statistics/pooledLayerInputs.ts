import * as tf from '../backend/tf';
import type { LayeredModel } from '../model/layeredModel';
import type { Batch } from '../data/batch';

/**
 * The stream entering each layer of the full network, each token scaled to unit RMS and averaged
 * over the batch's tokens: `[layer][dModel]`. What the learned drop rates' scorer reads.
 */
export function pooledLayerInputs(model: LayeredModel, batch: Batch): Float32Array[] {
  return tf.tidy(() => {
    const options = { training: false };
    const stream = model.embed(batch, options);
    const pooled: tf.Tensor1D[] = [];
    for (let layer = 0; layer < model.layers; layer++) {
      const rms = stream.x.square().mean(-1, true).add(1e-6).sqrt();
      pooled.push(stream.x.div(rms).mean(0) as tf.Tensor1D);
      if (layer < model.layers - 1) stream.x = model.block(stream, layer, options);
    }
    const values = tf.stack(pooled).dataSync() as Float32Array;
    const width = values.length / model.layers;
    return pooled.map((_, layer) => values.slice(layer * width, (layer + 1) * width));
  });
}
