import type { PruneStrategy } from '../../src/core/config/choices';
import { DASHES, type ChartTheme } from './theme';

/** The order strategies take colours in: the model analysis's sweeps first, so its five differ. */
const STRATEGY_ORDER: readonly PruneStrategy[] = ['every-other', 'importance', 'contiguous-block', 'spread', 'search-on-valid', 'first-k'];

/** The n-th series' colour and dash: a colour each, and a dash too, so no two series look alike in grayscale either. */
export function nthSeries(theme: ChartTheme, n: number): { borderColor: string; backgroundColor: string; borderDash: number[]; borderWidth: number } {
  const colour = theme.series[n % theme.series.length];
  return { borderColor: colour, backgroundColor: colour, borderDash: DASHES[n % DASHES.length], borderWidth: theme.lineWidth };
}

/** A strategy's colour and dash, the same in every chart (a strategy DepthLab does not know takes the last). */
export function strategySeries(theme: ChartTheme, strategy: string) {
  const index = STRATEGY_ORDER.indexOf(strategy as PruneStrategy);
  return nthSeries(theme, index < 0 ? STRATEGY_ORDER.length : index);
}

/** Legend entries drawn as short strokes in each line's colour and dash, small enough for the side bar. */
export const STROKE_LEGEND = { position: 'bottom' as const, labels: { boxWidth: 18, boxHeight: 2, font: { size: 10 } } };
