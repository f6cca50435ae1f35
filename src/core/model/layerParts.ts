import { LAYER_PARTS, type LayerPart } from '../config/choices';

/**
 * A step of a forward walk as plain data (it crosses threads): layer l whole is 3l, without its
 * attention 3l + 1, without its MLP 3l + 2. Ascending steps are ascending layers, so a list of
 * steps is a sub-network the way a list of layers is one.
 */
export const wholeLayer = (layer: number) => 3 * layer;
export const withoutPart = (layer: number, part: LayerPart) => 3 * layer + (part === 'attention' ? 1 : 2);
export const stepLayer = (step: number) => Math.floor(step / 3);
export const stepSkip = (step: number): LayerPart | undefined => (step % 3 === 0 ? undefined : step % 3 === 1 ? 'attention' : 'mlp');

/** "attention 3", "mlp 0": a removed part as tables and charts name it. */
export const partName = (step: number) => `${stepSkip(step)} ${stepLayer(step)}`;

/** One block of one layer. */
export interface LayerBlock {
  layer: number;
  part: LayerPart;
}

/** The steps of a model of `layers` without `removed`: a layer without both blocks is left out whole. */
export function stepsWithout(layers: number, removed: readonly LayerBlock[]): number[] {
  const steps: number[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const gone = LAYER_PARTS.filter((part) => removed.some((block) => block.layer === layer && block.part === part));
    if (gone.length === 0) steps.push(wholeLayer(layer));
    else if (gone.length === 1) steps.push(withoutPart(layer, gone[0]));
  }
  return steps;
}
