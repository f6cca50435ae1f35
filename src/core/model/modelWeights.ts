import type { Transformer } from './transformer';

/** A model's weights as plain arrays by parameter name: what a thread needs to build a replica. */
export type Weights = Record<string, { shape: number[]; data: Float32Array }>;

export function weightsOf(model: Transformer): Weights {
  return Object.fromEntries([...model.params].map(([name, variable]) => [name, { shape: variable.shape, data: (variable.dataSync() as Float32Array).slice() }]));
}
