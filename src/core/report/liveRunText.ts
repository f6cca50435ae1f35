import type { EngineEvent } from '../events';
import { partText } from './eventText';

const PHASE_TEXT = { importance: 'measuring each layer', angular: 'measuring angular distances', sweep: 'sweeping', sublayers: 'measuring attention and MLP', evaluate: 'evaluating' } as const;

/**
 * What a config's lens says about the run its job is making, after `event` (undefined: the event
 * changes nothing): the step while training, then the evaluation phase running ("sweeping 3/5").
 */
export function liveRunText(event: EngineEvent): string | undefined {
  switch (event.type) {
    case 'step':
      return `training ${event.step}/${event.steps}`;
    case 'phase':
      return event.phase === 'load' ? undefined : `${PHASE_TEXT[event.phase]}${partText(event)}`;
    case 'progress':
      return `${event.label} ${Math.round((100 * event.done) / event.total)}%`;
    default:
      return undefined;
  }
}
