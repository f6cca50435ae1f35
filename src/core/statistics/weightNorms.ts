import * as tf from '../backend/tf';
import type { LayeredModel } from '../model/layeredModel';

/**
 * L1 norm of every weight and bias of each layer (shared layers report their group's weights).
 * Summed one add at a time, not by tf.addN: a GPU binds every input of one kernel at once, and a
 * layer's dozen tensors pass WebGPU's default of 8 storage buffers per shader.
 */
export function layerWeightL1(model: LayeredModel): number[] {
  if (model.weightL1) return model.weightL1();
  return Array.from({ length: model.layers }, (_, layer) =>
    tf.tidy(() => model.layerWeights(layer).map((weight) => weight.abs().sum()).reduce((sum, norm) => sum.add(norm)).dataSync()[0]),
  );
}
