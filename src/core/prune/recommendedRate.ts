/** The paper's rule for the LayerDrop rate to train with when the target is r of N layers: p* = 1 − r/N. */
export function recommendedRate(layers: number, target: number): number {
  return 1 - target / layers;
}

/** Half the layers, rounded up: the every-other default. */
export function defaultTarget(layers: number): number {
  return Math.ceil(layers / 2);
}
