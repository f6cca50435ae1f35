import { UserError } from '../errors';

/** The target depth r: asked for, else the config's `prune.targetLayers`, else half the layers rounded up (every other). */
export function targetDepth(layers: number, configured: number | undefined, requested?: number): number {
  const target = requested ?? configured ?? Math.ceil(layers / 2);
  if (!Number.isInteger(target) || target < 1 || target > layers) throw new UserError(`target ${target} is not a depth of this ${layers}-layer model; allowed: 1..${layers}`);
  return target;
}
