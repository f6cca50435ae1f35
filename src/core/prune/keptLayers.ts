import { UserError } from '../errors';

/** A list of layers to keep, in any order: sorted, refused when empty, repeated or out of range. */
export function keptLayers(layers: readonly number[], depth: number): number[] {
  const keep = [...layers].sort((a, b) => a - b);
  if (keep.length === 0) throw new UserError(`no layers to keep; allowed: 1 to ${depth} distinct layers in 0..${depth - 1}`);
  keep.forEach((layer, i) => {
    if (!Number.isInteger(layer) || layer < 0 || layer >= depth) throw new UserError(`layer ${layer} does not exist; allowed: 0..${depth - 1}`);
    if (i > 0 && layer === keep[i - 1]) throw new UserError(`layer ${layer} is listed twice; allowed: each layer once`);
  });
  return keep;
}
