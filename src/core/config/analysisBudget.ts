import { UserError } from '../errors';
import { ALL_TOKENS } from '../huggingface/textBatches';
import { parseDuration } from '../report/duration';

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
