import type { EventSink } from '../events';

/** Counts units of work towards `total` and reports each as a progress event with the time left at the rate so far. */
export function progressReporter(label: string, unit: string, total: number, onEvent?: EventSink): () => void {
  const started = performance.now();
  let done = 0;
  return () => {
    done = Math.min(done + 1, total);
    const elapsed = (performance.now() - started) / 1000;
    onEvent?.({ type: 'progress', label, done, total, unit, etaSeconds: (elapsed / done) * (total - done) });
  };
}
