import type * as tf from '../../backend/tf';
import { UserError } from '../../errors';
import { ACTIVATIONS } from '../norms';
import type { PretrainedConfig } from '../pretrainedConfig';
import type { PretrainedWeights } from '../pretrainedWeights';
import type { VocabularyTable } from '../vocabularyTable';

/** What every family shares: its config and loaded tensors, tensor lookup, a layer's weights by name prefix, disposal. */
export abstract class FamilyModel {
  abstract readonly layerPrefix: string;
  readonly layers: number;

  constructor(
    readonly config: PretrainedConfig,
    readonly weights: PretrainedWeights,
  ) {
    this.layers = config.layers;
  }

  /** A loaded tensor by its canonical name. */
  protected p(name: string): tf.Tensor {
    return this.weights.get(name)!;
  }

  /** A loaded vocabulary table (embedding, LM head) by its canonical name. */
  protected table(name: string): VocabularyTable {
    return this.weights.tables.get(name)!;
  }

  layerWeights(layer: number): tf.Tensor[] {
    return this.weights.layerTensors(`${this.layerPrefix}${layer}.`);
  }

  dispose(): void {
    this.weights.dispose();
  }
}

/** The activation a config names under `key` (or `fallback`); one DepthLab lacks is a user error naming it. */
export function activationOf(config: PretrainedConfig, key: string, fallback: string): (x: tf.Tensor) => tf.Tensor {
  const name = String(config.raw[key] ?? fallback);
  const activation = ACTIVATIONS[name];
  if (!activation) throw new UserError(`${config.file}: ${key} "${name}" is not one DepthLab implements (${Object.keys(ACTIVATIONS).join(', ')})`);
  return activation;
}
