import * as tf from '../backend/tf';
import type { LayeredModel } from '../model/layeredModel';
import { layerL1 } from '../model/layerL1';

/** L1 norm of every weight and bias of each layer (shared layers report their group's weights). */
export function layerWeightL1(model: LayeredModel): number[] {
  if (model.weightL1) return model.weightL1();
  return Array.from({ length: model.layers }, (_, layer) => tf.tidy(() => layerL1(model, layer).dataSync()[0]));
}
