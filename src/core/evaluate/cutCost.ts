import type { LayeredModel } from '../model/layeredModel';
import type { PretrainedModel } from '../huggingface/pretrainedModel';
import { layerOfTensor } from '../huggingface/layerNames';
import { stepLayer, stepSkip } from '../model/layerParts';
import { type LayerPart } from '../config/choices';
import { LAYER_PARAMETER_SUFFIXES } from '../model/parameters';

/** A model's weights as a cut sees them: what stays whatever is kept, and each layer's share. */
export interface ModelSize {
  /** Parameters outside the layers (embeddings, final norm, head). */
  outside: number;
  perLayer: number[];
  outsideBytes: number;
  perLayerBytes: number[];
  /** Each layer's attention and MLP projections (their norms stay with the layer). */
  perPart: Record<LayerPart, { parameters: number[]; bytes: number[] }>;
}

/** Which block of a layer a tensor belongs to, from its name after the layer index (`self_attn.q_proj.weight`, `fc1.bias`); norms: neither. */
export function partOfTensor(suffix: string): LayerPart | undefined {
  if (/^(attn|attention|self_attn)\./.test(suffix)) return 'attention';
  if (/^(mlp|ffn|fc1|fc2)\./.test(suffix)) return 'mlp';
  return undefined;
}

const isPretrained = (model: LayeredModel): model is PretrainedModel => 'weights' in model && 'config' in model;

/**
 * Parameters and bytes per layer and outside: a Hugging Face model's from its files' shapes and
 * dtypes (no layer is read, streamed or not), DepthLab's own from its float32 variables.
 */
export function modelSize(model: LayeredModel): ModelSize {
  const zeros = () => new Array<number>(model.layers).fill(0);
  const size: ModelSize = {
    outside: 0,
    perLayer: zeros(),
    outsideBytes: 0,
    perLayerBytes: zeros(),
    perPart: { attention: { parameters: zeros(), bytes: zeros() }, mlp: { parameters: zeros(), bytes: zeros() } },
  };
  const add = (layer: number | undefined, parameters: number, bytes: number, part?: LayerPart) => {
    if (layer === undefined) {
      size.outside += parameters;
      size.outsideBytes += bytes;
      return;
    }
    size.perLayer[layer] += parameters;
    size.perLayerBytes[layer] += bytes;
    if (part) {
      size.perPart[part].parameters[layer] += parameters;
      size.perPart[part].bytes[layer] += bytes;
    }
  };
  if (isPretrained(model)) {
    for (const entry of model.weights.files.entries.values()) {
      const layer = layerOfTensor(entry.name, model.layerPrefix, model.weights.basePrefix);
      const suffix = layer === undefined ? '' : entry.name.slice(entry.name.indexOf(`${model.layerPrefix}${layer}.`) + `${model.layerPrefix}${layer}.`.length);
      add(layer, entry.shape.reduce((a, b) => a * b, 1), entry.end - entry.begin, partOfTensor(suffix));
    }
    return size;
  }
  const all = 'params' in model ? [...(model.params as Map<string, { size: number }>).values()].reduce((sum, v) => sum + v.size, 0) : 0;
  for (let layer = 0; layer < model.layers; layer++) {
    model.layerWeights(layer).forEach((tensor, i) => add(layer, tensor.size, 4 * tensor.size, partOfTensor(LAYER_PARAMETER_SUFFIXES[i])));
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

/** What a sub-network of steps (layerParts.ts) holds: its layers, less the blocks it leaves out. */
export function stepsSize(size: ModelSize, steps: readonly number[]): { parameters: number; weightBytes: number } {
  const kept = keptSize(size, [...new Set(steps.map(stepLayer))]);
  for (const step of steps) {
    const part = stepSkip(step);
    if (!part) continue;
    kept.parameters -= size.perPart[part].parameters[stepLayer(step)];
    kept.weightBytes -= size.perPart[part].bytes[stepLayer(step)];
  }
  return kept;
}

/** Each depth with what it buys: parameters, weight memory, and forward tokens/s on the backend in use (from its ms per batch). */
export function withCutCost<Row extends { layers: number[]; msPerBatch: number }>(rows: Row[], size: ModelSize, tokensPerBatch: number): Array<Row & { parameters: number; weightBytes: number; tokensPerSecond?: number }> {
  return rows.map((row) => ({ ...row, ...keptSize(size, row.layers), ...(row.msPerBatch > 0 && { tokensPerSecond: (1000 * tokensPerBatch) / row.msPerBatch }) }));
}
