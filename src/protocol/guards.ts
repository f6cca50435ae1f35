/** Checks for what arrives over a process or webview boundary: each channel's parser is built from these. */

export type Check = (value: Record<string, unknown>) => boolean;

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
export const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
export const isId = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
export const isLayerList = (value: unknown): value is number[] =>
  Array.isArray(value) && value.length > 0 && value.every((n) => Number.isInteger(n) && n >= 0) && new Set(value).size === value.length;
export const optional = (check: (value: unknown) => boolean) => (value: unknown) => value === undefined || check(value);
export const oneOf = (choices: readonly string[]) => (value: unknown) => typeof value === 'string' && choices.includes(value);

/** A parser for a union of `{ type }` messages: the message when its type is known and its check passes, else undefined. */
export function messageParser<T extends { type: string }>(checks: { [K in T['type']]: Check }): (value: unknown) => T | undefined {
  return (value) => {
    if (!isRecord(value) || typeof value.type !== 'string' || !Object.hasOwn(checks, value.type)) return undefined;
    return checks[value.type as T['type']](value) ? (value as T) : undefined;
  };
}
