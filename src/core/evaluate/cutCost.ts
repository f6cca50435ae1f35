import type { LayeredModel } from '../model/layeredModel';
import type { PretrainedModel } from '../huggingface/pretrainedModel';
import { layerOfTensor } from '../huggingface/prunedFolder';

/** A model's weights as a cut sees them: what stays whatever is kept, and each layer's share. */
export interface ModelSize {
  /** Parameters outside the layers (embeddings, final norm, head). */
  outside: number;
  perLayer: number[];
  outsideBytes: number;
  perLayerBytes: number[];
}

const isPretrained = (model: LayeredModel): model is PretrainedModel => 'weights' in model && 'config' in model;

/**
 * Parameters and bytes per layer and outside: a Hugging Face model's from its files' shapes and
 * dtypes (no layer is read, streamed or not), DepthLab's own from its float32 variables.
 */
export function modelSize(model: LayeredModel): ModelSize {
  const size: ModelSize = { outside: 0, perLayer: new Array(model.layers).fill(0), outsideBytes: 0, perLayerBytes: new Array(model.layers).fill(0) };
  const add = (layer: number | undefined, parameters: number, bytes: number) => {
    if (layer === undefined) {
      size.outside += parameters;
      size.outsideBytes += bytes;
    } else {
      size.perLayer[layer] += parameters;
      size.perLayerBytes[layer] += bytes;
    }
  };
  if (isPretrained(model)) {
    for (const entry of model.weights.files.entries.values()) {
      add(layerOfTensor(entry.name, model.layerPrefix, model.weights.basePrefix), entry.shape.reduce((a, b) => a * b, 1), entry.end - entry.begin);
    }
    return size;
  }
  const all = 'params' in model ? [...(model.params as Map<string, { size: number }>).values()].reduce((sum, v) => sum + v.size, 0) : 0;
  for (let layer = 0; layer < model.layers; layer++) {
    const parameters = model.layerWeights(layer).reduce((sum, tensor) => sum + tensor.size, 0);
    add(layer, parameters, 4 * parameters);
  }
  const outside = all - size.perLayer.reduce((a, b) => a + b, 0);
  add(undefined, outside, 4 * outside);
  return size;
}

/** What keeping `layers` holds: parameters and weight bytes. */
export function keptSize(size: ModelSize, layers: readonly number[]): { parameters: number; weightBytes: number } {
  return {
    parameters: layers.reduce((sum, l) => sum + size.perLayer[l], size.outside),
    weightBytes: layers.reduce((sum, l) => sum + size.perLayerBytes[l], size.outsideBytes),
  };
}

/** Each depth with what it buys: parameters, weight memory, and forward tokens/s on the backend in use (from its ms per batch). */
export function withCutCost<Row extends { layers: number[]; msPerBatch: number }>(rows: Row[], size: ModelSize, tokensPerBatch: number): Array<Row & { parameters: number; weightBytes: number; tokensPerSecond?: number }> {
  return rows.map((row) => ({ ...row, ...keptSize(size, row.layers), ...(row.msPerBatch > 0 && { tokensPerSecond: (1000 * tokensPerBatch) / row.msPerBatch }) }));
}
