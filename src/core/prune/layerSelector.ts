import type { ImportanceMetric, PruneStrategy } from '../config/choices';
import type { LayerStatistics } from '../statistics/importance';
import { decidingIncrease, decidingStdErr } from '../statistics/decidingIncrease';
import { importanceScores } from '../statistics/importanceScores';
import { contiguousBlock } from './contiguousBlock';
import { everyOther } from './everyOther';
import { firstK } from './firstK';
import { spread } from './spread';
import { topByScore } from './importanceRanking';
import { searchOnValid, type CandidateLosses } from './searchOnValid';
import type { ChoiceMargin } from './choiceMargin';

export interface SelectorContext {
  layers: number;
  /** Needed by `importance`. */
  statistics?: LayerStatistics[];
  metric?: ImportanceMetric;
  /** `search-on-valid` keeps the first and last layers (SLEB). */
  protectEnds?: boolean;
  /** `search-on-valid` tries only this many removals per round, the weakest by loss increase (needs `statistics`). */
  searchWidth?: number;
  /** Needed by `search-on-valid`: validation losses of sub-networks evaluated together. */
  lossesOf?: (candidates: number[][]) => CandidateLosses;
  /** Needed by `contiguous-block`: angular distances between streams n layers apart. */
  angularDistances?: () => number[][];
}

/** A strategy's layers at any depth, and for the data-driven ones how clearly the choice beat the runner-up. */
export interface LayerSelector {
  select: (target: number) => number[];
  margin?: (target: number) => ChoiceMargin | undefined;
}

/** A strategy as a function of the target depth; searches and rankings run once and serve every depth. */
export function layerSelector(strategy: PruneStrategy, context: SelectorContext): LayerSelector {
  switch (strategy) {
    case 'every-other':
      return { select: (target) => everyOther(context.layers, target) };
    case 'spread':
      return { select: (target) => spread(context.layers, target) };
    case 'first-k':
      return { select: (target) => firstK(context.layers, target) };
    case 'importance': {
      if (!context.statistics) throw new Error('importance needs layer statistics');
      const metric = context.metric ?? 'loss-increase';
      const scores = importanceScores(context.statistics, metric);
      const statistics = context.statistics;
      return {
        select: (target) => topByScore(scores, target),
        margin: metric === 'loss-increase' ? (target) => rankingMargin(statistics, scores, target) : undefined,
      };
    }
    case 'contiguous-block': {
      if (!context.angularDistances) throw new Error('contiguous-block needs angular distances');
      const distances = context.angularDistances();
      return { select: (target) => contiguousBlock(context.layers, target, distances) };
    }
    case 'search-on-valid': {
      if (!context.lossesOf) throw new Error('search-on-valid needs a loss function');
      const score = context.searchWidth === undefined ? undefined : context.statistics?.map(decidingIncrease);
      const { byDepth, margins } = searchOnValid(context.layers, context.lossesOf, { protectEnds: context.protectEnds, width: context.searchWidth, score });
      return { select: (target) => byDepth[Math.min(target, context.layers)], margin: (target) => margins[target] };
    }
  }
}

/**
 * The ranking's closest call at depth r: the least important kept layer against the most important
 * dropped one, swapped. Their loss increases differ by `difference`; each has its paired error
 * against the full model, and the two combine (an upper bound on the paired error between them).
 */
function rankingMargin(statistics: LayerStatistics[], scores: number[], target: number): ChoiceMargin | undefined {
  const order = scores.map((score, layer) => ({ score, layer })).sort((a, b) => b.score - a.score || a.layer - b.layer);
  const [weakestKept, strongestDropped] = [order[target - 1], order[target]];
  if (!weakestKept || !strongestDropped) return undefined;
  const errorOf = (layer: number) => decidingStdErr(statistics[layer]);
  const [a, b] = [errorOf(weakestKept.layer), errorOf(strongestDropped.layer)];
  if (a === undefined || b === undefined) return undefined;
  const runnerUp = [...topByScore(scores, target).filter((l) => l !== weakestKept.layer), strongestDropped.layer].sort((x, y) => x - y);
  return { runnerUp, difference: weakestKept.score - strongestDropped.score, stdErr: Math.hypot(a, b) };
}
