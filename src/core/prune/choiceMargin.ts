import { withinNoise } from '../evaluate/standardError';

/**
 * How clearly a strategy's choice beat the next best one: the runner-up's layers, by how much
 * it was worse (nats, ≥ 0), and the standard error of that difference.
 */
export interface ChoiceMargin {
  runnerUp: number[];
  difference: number;
  stdErr: number;
}

/** One line for the reports, saying plainly when the choice is within noise of the runner-up. */
export function marginText(margin: ChoiceMargin): string {
  const numbers = `+${margin.difference.toFixed(4)} ± ${margin.stdErr.toFixed(4)} nats`;
  return withinNoise(margin.difference, margin.stdErr)
    ? `runner-up ${margin.runnerUp.join(',')} is within noise of this choice (${numbers}): the data cannot tell them apart`
    : `runner-up ${margin.runnerUp.join(',')}: ${numbers} worse`;
}
