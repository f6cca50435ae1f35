import { UserError } from '../errors';

/** "90", "90s", "5m", "1.5m", "1h", "2m30s" → seconds; anything else is a user error saying what is allowed. */
export function parseDuration(text: string): number {
  const parts = /^\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s?)?\s*$/.exec(text);
  const seconds = parts ? Number(parts[1] ?? 0) * 3600 + Number(parts[2] ?? 0) * 60 + Number(parts[3] ?? 0) : NaN;
  if (!parts || !(seconds > 0)) throw new UserError(`--budget "${text}": allowed: a duration such as 90s, 5m, 1h or 2m30s`);
  return seconds;
}

/** "4 min 10 s", "45 s". */
export function durationText(seconds: number): string {
  if (seconds < 0.1) return `${Number(seconds.toPrecision(1))} s`;
  if (seconds < 60) return `${seconds < 10 && !Number.isInteger(seconds) ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const rest = Math.round(seconds % 60);
  return `${Math.floor(seconds / 60)} min${rest ? ` ${rest} s` : ''}`;
}
