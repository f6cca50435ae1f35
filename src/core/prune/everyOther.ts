/**
 * The paper's and fairseq's "every other layer" for a target depth r of N: at r = ⌈N/2⌉ layers
 * 0,2,4,… (fairseq's README prunes 16 layers to 0,2,…,14); when r divides N, every k-th layer from 0
 * with k = N/r; otherwise the stride N/r rounded down, floor(i·N/r) for i = 0..r−1, which agrees with
 * both cases above where they apply. Layer 0 is always kept and the top layer only when the stride
 * lands on it. r = 1 keeps layer 0. Spreading r layers with both ends kept is `spread`.
 */
export function everyOther(layers: number, target: number): number[] {
  if (target >= layers) return Array.from({ length: layers }, (_, l) => l);
  if (target === Math.ceil(layers / 2)) return Array.from({ length: target }, (_, i) => 2 * i);
  return Array.from({ length: target }, (_, i) => Math.floor((i * layers) / target));
}
