import * as tf from '../backend/tf';
import type { LayeredModel } from '../model/layeredModel';

/** L1 norm of every weight and bias of each layer (shared layers report their group's weights). */
export function layerWeightL1(model: LayeredModel): number[] {
  return Array.from({ length: model.layers }, (_, layer) =>
    tf.tidy(() => tf.addN(model.layerWeights(layer).map((weight) => weight.abs().sum())).dataSync()[0]),
  );
}
