/** The paper's rule for the LayerDrop rate to train with when the target is r of N layers: p* = 1 − r/N. */
export function recommendedRate(layers: number, target: number): number {
  return 1 - target / layers;
}
