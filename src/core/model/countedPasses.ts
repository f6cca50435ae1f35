import type { LayeredModel } from './layeredModel';

/**
 * The model, calling `onPass` each time a batch enters it: every evaluation, importance pass,
 * angular-distance pass and search round embeds each batch exactly once, so the calls count
 * batch passes, the unit a long analysis reports its progress in.
 */
export function countingPasses(model: LayeredModel, onPass: () => void): LayeredModel {
  return {
    layers: model.layers,
    embed: (batch, options) => {
      onPass();
      return model.embed(batch, options);
    },
    block: (stream, layer, options) => model.block(stream, layer, options),
    readout: (x, batch) => model.readout(x, batch),
    layerWeights: (layer) => model.layerWeights(layer),
    dispose: () => model.dispose(),
  };
}
