import * as tf from '../backend/tf';
import type { LayeredModel } from '../model/layeredModel';

/**
 * L1 norm of every weight and bias of each layer (shared layers report their group's weights).
 * Summed one add at a time, not by tf.addN: a GPU binds every input of one kernel at once, and a
 * layer's dozen tensors pass WebGPU's default of 8 storage buffers per shader. Each tensor's |w|
 * is freed before the next is made: a streamed 8B layer's copies at once were 0.87 GB more heap.
 */
export function layerWeightL1(model: LayeredModel): number[] {
  if (model.weightL1) return model.weightL1();
  return Array.from({ length: model.layers }, (_, layer) =>
    tf.tidy(
      () =>
        model
          .layerWeights(layer)
          .map((weight) => tf.tidy(() => weight.abs().sum()))
          .reduce((sum, norm) => sum.add(norm))
          .dataSync()[0],
    ),
  );
}
