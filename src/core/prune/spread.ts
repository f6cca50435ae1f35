/**
 * r layers spread evenly over N with the first and last kept: round(i·(N−1)/(r−1)) for i = 0..r−1
 * (halves round up). N = 6, r = 3 gives 0,3,5; r = 1 keeps layer 0. What DepthLab first called
 * "every-other"; the paper's strategy is `everyOther`.
 */
export function spread(layers: number, target: number): number[] {
  if (target >= layers) return Array.from({ length: layers }, (_, l) => l);
  if (target === 1) return [0];
  return Array.from({ length: target }, (_, i) => Math.floor((i * (layers - 1)) / (target - 1) + 0.5));
}
