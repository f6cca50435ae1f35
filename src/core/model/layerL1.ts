import * as tf from '../backend/tf';
import type { LayeredModel } from './layeredModel';

/**
 * One layer's L1 norm, as a scalar: a pass that has the layer in memory takes it there (a streamed
 * model reads it once). Summed one add at a time, not by tf.addN: a GPU binds every input of one
 * kernel at once, and a layer's dozen tensors pass WebGPU's default of 8 storage buffers per shader.
 */
export function layerL1(model: LayeredModel, layer: number): tf.Scalar {
  return tf.tidy(() => model.layerWeights(layer).map((weight) => weight.abs().sum()).reduce((sum, norm) => sum.add(norm)) as tf.Scalar);
}
