import type { EngineEvent } from '../events';

/** One human line per engine event, shared by the CLI and the editor's log; undefined for events with nothing to say. */
export function eventText(event: EngineEvent): string | undefined {
  switch (event.type) {
    case 'backend':
      return `backend: ${event.backend} on ${event.device} (${event.why})`;
    case 'notice':
      return event.text;
    case 'run-start':
      return (
        `run ${event.runId} on ${event.backend} backend, ${event.threads} thread${event.threads === 1 ? '' : 's'}${event.autoThreads ? ' (auto)' : ''}: ${event.parameters.toLocaleString('en-US')} parameters; ${event.dataset}` +
        (event.startStep > 0 ? `\nresuming at step ${event.startStep} of ${event.steps}` : '')
      );
    case 'step':
      return `step ${event.step}/${event.steps} loss ${event.loss.toFixed(4)} lr ${event.lr.toExponential(2)} ${Math.round(event.tokensPerSecond)} tok/s dropped [${event.dropped.join(',')}]`;
    case 'valid':
      return `valid @ step ${event.step}: loss ${event.loss.toFixed(4)} ${qualityText(event)}`;
    case 'checkpoint':
      return undefined;
    case 'run-end':
      return `training ${event.status} at step ${event.step}`;
    case 'phase':
      return `${event.phase}${partText(event)}: ${event.detail}`;
    case 'progress':
      return `${event.label}: ${event.done}/${event.total} ${event.unit}, about ${Math.ceil(event.etaSeconds)} s left`;
    case 'depth':
      return `depth ${event.row.depth}: layers ${event.row.layers.join(',')} loss ${event.row.loss.toFixed(4)} ${qualityText(event.row)}`;
  }
}

/** " 3/5" for the third of a job's five sweeps; nothing for a phase that is not one of several. */
export const partText = (event: { part?: number; of?: number }) => (event.part === undefined ? '' : ` ${event.part}/${event.of}`);

/** Perplexity for language models, accuracy for classifiers. */
export function qualityText(e: { perplexity?: number; accuracy?: number }): string {
  return e.perplexity !== undefined ? `ppl ${e.perplexity.toFixed(2)}` : `accuracy ${((e.accuracy ?? 0) * 100).toFixed(1)}%`;
}
