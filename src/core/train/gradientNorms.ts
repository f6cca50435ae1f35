import * as tf from '../backend/tf';
import { layerOfParameter } from '../model/parameters';

export interface GradientNorms {
  /** L2 norm over every gradient. */
  global: number;
  /** L2 norm over each stored layer's gradients (index = storage layer); NaN where the layer got none. */
  perLayer: number[];
}

/** Global and per-layer gradient norms, read back in one transfer. */
export function gradientNorms(grads: Map<string, tf.Tensor>, layers: number): GradientNorms {
  const names = [...grads.keys()];
  return normsOfSquares(names, tf.tidy(() => tf.stack(names.map((name) => tf.sum(tf.square(grads.get(name)!)))).dataSync()), layers);
}

/** Global and per-layer norms from each named gradient's sum of squares. */
export function normsOfSquares(names: readonly string[], squares: ArrayLike<number>, layers: number): GradientNorms {
  const perLayerSquares = new Array<number>(layers).fill(NaN);
  let total = 0;
  names.forEach((name, i) => {
    total += squares[i];
    const layer = layerOfParameter(name);
    if (layer !== undefined) perLayerSquares[layer] = (Number.isNaN(perLayerSquares[layer]) ? 0 : perLayerSquares[layer]) + squares[i];
  });
  return { global: Math.sqrt(total), perLayer: perLayerSquares.map(Math.sqrt) };
}

/** Scale every gradient by min(1, maxNorm / globalNorm), as torch.nn.utils.clip_grad_norm_. Returns new tensors. */
export function clipGradients(grads: Map<string, tf.Tensor>, globalNorm: number, maxNorm: number): Map<string, tf.Tensor> {
  const scale = maxNorm > 0 && globalNorm > maxNorm ? maxNorm / (globalNorm + 1e-6) : 1;
  return new Map([...grads].map(([name, grad]) => [name, scale === 1 ? grad.clone() : grad.mul(scale)]));
}
