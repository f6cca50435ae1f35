/**
 * The paper's "every other layer", generalised to any target depth r of N: keep
 * round(i·(N−1)/(r−1)) for i = 0..r−1, i.e. r layers spread evenly with the first and last kept
 * (halves round up). N = 7, r = 4 gives 0,2,4,6; r = 1 keeps layer 0.
 */
export function everyOther(layers: number, target: number): number[] {
  if (target >= layers) return Array.from({ length: layers }, (_, l) => l);
  if (target === 1) return [0];
  return Array.from({ length: target }, (_, i) => Math.floor((i * (layers - 1)) / (target - 1) + 0.5));
}
