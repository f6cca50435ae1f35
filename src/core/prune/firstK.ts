/** Baseline: keep the bottom r layers. */
export function firstK(layers: number, target: number): number[] {
  return Array.from({ length: Math.min(target, layers) }, (_, l) => l);
}
