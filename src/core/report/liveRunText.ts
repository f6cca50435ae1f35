import type { EngineEvent } from '../events';

/**
 * What a config's lens says about the run its job is making, after `event` (undefined: the event
 * changes nothing): the step while training, then the evaluation phase running.
 */
export function liveRunText(event: EngineEvent): string | undefined {
  switch (event.type) {
    case 'step':
      return `training ${event.step}/${event.steps}`;
    case 'phase':
      return event.phase === 'load' ? undefined : `evaluating: ${event.detail}`;
    case 'progress':
      return `${event.label} ${Math.round((100 * event.done) / event.total)}%`;
    default:
      return undefined;
  }
}
