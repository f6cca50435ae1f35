/** The kept layers as runs of consecutive indices, each [start, end) with the end exclusive: [0,2,3,5] → [0,1), [2,4), [5,6). */
export function keptRuns(keep: readonly number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const layer of [...keep].sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last && last[1] === layer) last[1] = layer + 1;
    else runs.push([layer, layer + 1]);
  }
  return runs;
}
