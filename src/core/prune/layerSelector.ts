import type { ImportanceMetric, PruneStrategy } from '../config/choices';
import type { LayerStatistics } from '../statistics/importance';
import { importanceScores } from '../statistics/importanceScores';
import { contiguousBlock } from './contiguousBlock';
import { everyOther } from './everyOther';
import { firstK } from './firstK';
import { spread } from './spread';
import { topByScore } from './importanceRanking';
import { searchOnValid } from './searchOnValid';

export interface SelectorContext {
  layers: number;
  /** Needed by `importance`. */
  statistics?: LayerStatistics[];
  metric?: ImportanceMetric;
  /** `search-on-valid` keeps the first and last layers (SLEB). */
  protectEnds?: boolean;
  /** Needed by `search-on-valid`: validation losses of sub-networks. */
  lossesOf?: (candidates: number[][]) => number[];
  /** Needed by `contiguous-block`: angular distances between streams n layers apart. */
  angularDistances?: () => number[][];
}

/** A strategy as a function of the target depth; searches and rankings run once and serve every depth. */
export function layerSelector(strategy: PruneStrategy, context: SelectorContext): (target: number) => number[] {
  switch (strategy) {
    case 'every-other':
      return (target) => everyOther(context.layers, target);
    case 'spread':
      return (target) => spread(context.layers, target);
    case 'first-k':
      return (target) => firstK(context.layers, target);
    case 'importance': {
      if (!context.statistics) throw new Error('importance needs layer statistics');
      const scores = importanceScores(context.statistics, context.metric ?? 'loss-increase');
      return (target) => topByScore(scores, target);
    }
    case 'contiguous-block': {
      if (!context.angularDistances) throw new Error('contiguous-block needs angular distances');
      const distances = context.angularDistances();
      return (target) => contiguousBlock(context.layers, target, distances);
    }
    case 'search-on-valid': {
      if (!context.lossesOf) throw new Error('search-on-valid needs a loss function');
      const byDepth = searchOnValid(context.layers, context.lossesOf, { protectEnds: context.protectEnds });
      return (target) => byDepth[Math.min(target, context.layers)];
    }
  }
}
