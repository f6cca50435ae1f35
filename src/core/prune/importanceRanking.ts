/** Keep the r layers with the highest scores, returned in layer order (ties keep the lower layer). */
export function topByScore(scores: readonly number[], target: number): number[] {
  return scores
    .map((score, layer) => ({ score, layer }))
    .sort((a, b) => b.score - a.score || a.layer - b.layer)
    .slice(0, target)
    .map(({ layer }) => layer)
    .sort((a, b) => a - b);
}
