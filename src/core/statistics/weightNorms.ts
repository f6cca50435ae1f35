import * as tf from '../backend/tf';
import { LAYER_PARAMETER_SUFFIXES } from '../model/parameters';
import type { Transformer } from '../model/transformer';

/** L1 norm of every weight and bias of each layer (shared layers report their group's weights). */
export function layerWeightL1(model: Transformer): number[] {
  return Array.from({ length: model.layers }, (_, layer) =>
    tf.tidy(() => tf.addN(LAYER_PARAMETER_SUFFIXES.map((suffix) => model.layerParam(layer, suffix).abs().sum())).dataSync()[0]),
  );
}
