import { UserError } from '../errors';
import { parseDuration } from './duration';

/** The most tokens a Hugging Face model is measured on unless --tokens says otherwise. */
export const ALL_TOKENS = 16_384;

/** The editor's depthlab.analysisBudget as an analysis request's budget: a duration, or every token for `all`. */
export function analysisBudget(setting: string): { budgetSeconds: number } | { tokens: number } {
  const text = setting.trim();
  if (text === 'all') return { tokens: ALL_TOKENS };
  try {
    return { budgetSeconds: parseDuration(text) };
  } catch {
    throw new UserError(`the setting depthlab.analysisBudget "${setting}": allowed: a duration such as 90s, 5m, 1h or 2m30s, or all`);
  }
}
