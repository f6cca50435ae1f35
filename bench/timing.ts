/** What every bench measurement shares: means, medians, a run's milliseconds, and a log line stamped with the time since start. */
export const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export function msOf(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

const started = performance.now();
export const log = (line: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
