import type { ImportanceMetric, PruneStrategy } from '../config/choices';
import { UserError } from '../errors';
import { depthSweep, type DepthRow } from '../evaluate/depthSweep';
import { addCosts, scaledCost, walkCost, type WalkCost } from '../evaluate/walkCost';
import type { EventSink } from '../events';
import { type LayeredModel } from '../model/layeredModel';
import { tokensIn, type Batch } from '../data/batch';
import type { PreparedTask } from '../tasks/taskBatches';
import { measureSublayers, sublayerCost, type SublayerMeasurements } from './sublayerMeasurements';
import { chooser, type Chooser, type LayerChoice } from '../prune/chooseLayers';
import type { ChoiceMargin } from '../prune/choiceMargin';
import { everyOther } from '../prune/everyOther';
import { searchCost } from '../prune/searchOnValid';
import { spread } from '../prune/spread';
import { angularDistances } from '../statistics/angularDistance';
import { dropStatistics, emptyCounters } from '../statistics/dropStatistics';
import { layerStatistics, type LayerStatistics } from '../statistics/importance';
import { durationText } from '../config/duration';
import type { TimeBudget } from './timeBudget';

/** The strategies a model's depth sweep compares, the costly search last (first-k is a baseline for trained runs only). */
export const MODEL_STRATEGIES: PruneStrategy[] = ['every-other', 'importance', 'contiguous-block', 'spread', 'search-on-valid'];

/** Under a time budget, search-on-valid's rounds try the four weakest layers by loss increase. */
export const BUDGET_SEARCH_WIDTH = 4;

export interface DepthMeasurements {
  fullLoss: number;
  statistics: LayerStatistics[];
  angularDistance: number[][];
  sweeps: Partial<Record<PruneStrategy, DepthRow[]>>;
  parts?: SublayerMeasurements['parts'];
  sublayerSearch?: SublayerMeasurements['sublayerSearch'];
  strategy: PruneStrategy;
  metric: ImportanceMetric;
  target: number;
  keep: number[];
  margin?: ChoiceMargin;
  /** Sweeps left out to stay within the budget, each with why. */
  skipped?: string[];
}

const range = (n: number) => Array.from({ length: n }, (_, l) => l);
const sweepLists = (layers: number, select: (target: number) => number[]) => range(layers).map((i) => select(layers - i));

/**
 * Per-batch cost of each phase, counted before measuring: exact where the layers are known in advance,
 * else a sweep like every-other's (importance, contiguous-block) or the search's bound.
 */
export function phaseCosts(layers: number, searchWidth?: number) {
  const all = range(layers);
  const importance = walkCost([all, ...all.map((removed) => all.filter((l) => l !== removed))]);
  const angular = { blocks: layers, readouts: 0, layers };
  const likeEveryOther = walkCost(sweepLists(layers, (r) => everyOther(layers, r)));
  const sweep: Record<PruneStrategy, WalkCost> = {
    'every-other': likeEveryOther,
    spread: walkCost(sweepLists(layers, (r) => spread(layers, r))),
    importance: likeEveryOther,
    'contiguous-block': likeEveryOther,
    'first-k': walkCost(sweepLists(layers, (r) => all.slice(0, r))),
    'search-on-valid': addCosts(searchCost(layers, { width: searchWidth }), likeEveryOther),
  };
  return { importance, angular, sweep };
}

export type PhaseCosts = ReturnType<typeof phaseCosts>;

/**
 * The phases an analysis plans for, per batch: the cheap measurements and every cheap sweep
 * (search-on-valid only when it is the choice); or, `essential`, the per-layer measurements and the
 * chosen strategy's sweep alone, the rest left to run if time remains.
 */
export function plannedCost(costs: PhaseCosts, strategy: PruneStrategy, essential = false, only?: readonly PruneStrategy[]): WalkCost {
  const sweeps = MODEL_STRATEGIES.filter((s) => s === strategy || (!essential && s !== 'search-on-valid' && (!only || only.includes(s)))).map((s) => costs.sweep[s]);
  return addCosts(costs.importance, costs.angular, ...sweeps);
}

export interface MeasureContext {
  onEvent?: EventSink;
  signal?: AbortSignal;
  /** Spend at most this: sweeps that would not fit are left out (never the chosen strategy's), and the search is bounded. */
  budget?: TimeBudget;
  /** Sweep only these strategies, and the chosen one (default: every strategy). */
  strategies?: readonly PruneStrategy[];
  /** search-on-valid's removals tried per round, the weakest by loss increase (default: all, or BUDGET_SEARCH_WIDTH under a budget). */
  searchWidth?: number;
  /** Multiple-choice tasks scored at every depth of every sweep. */
  tasks?: readonly PreparedTask[];
  /** Measure each layer's attention and MLP apart and search over them, last (bounded like search-on-valid). */
  sublayers?: boolean;
}

/**
 * Everything DepthLab measures of a model it did not train, cheap measurements first: per-layer
 * importance (no LayerDrop counters) and Block Influence in one walk, angular distances, then a
 * depth sweep per strategy, search-on-valid last with its cost said before it starts; and the
 * choice's layers.
 */
export function measureDepth(model: LayeredModel, batches: Batch[], choice: Omit<LayerChoice, 'layers'>, context: MeasureContext = {}): DepthMeasurements {
  const { budget, onEvent } = context;
  const N = model.layers;
  const strategy = choice.strategy ?? 'every-other';
  const searchWidth = context.searchWidth ?? (budget ? BUDGET_SEARCH_WIDTH : undefined);
  const costs = phaseCosts(N, searchWidth);
  const planned = plannedCost(costs, strategy, false, context.strategies);
  const started = performance.now();
  let done = 0;
  const run = <T>(cost: WalkCost, work: () => T): T => {
    if (context.signal?.aborted) throw new UserError('cancelled');
    const value = budget ? budget.run(cost, work) : work();
    done = Math.min(done + cost.blocks, planned.blocks);
    const elapsed = (performance.now() - started) / 1000;
    const etaSeconds = budget ? Math.max(0, budget.left()) : (elapsed / done) * (planned.blocks - done);
    onEvent?.({ type: 'progress', label: 'analyze', done, total: planned.blocks, unit: 'layer evaluations a batch', etaSeconds });
    return value;
  };

  const { fullLoss, layers: statistics } = run(costs.importance, () => layerStatistics(model, batches, dropStatistics(emptyCounters(N), new Array(N).fill(0))));
  onEvent?.({ type: 'phase', phase: 'angular', detail: 'angular distance between the streams n layers apart' });
  const distances = run(costs.angular, () => angularDistances(model, batches));
  const choices = {
    model,
    batches,
    prune: { strategy, metric: choice.metric ?? 'loss-increase', searchWidth },
    statistics: () => statistics,
    angularDistances: () => distances,
  } as const;
  const sweeps: DepthMeasurements['sweeps'] = {};
  const skipped: string[] = [];
  /** Whether a phase of `seconds` overruns the budget; if so it is left out, saying what it needed. */
  const leftOut = (what: string, noticed: string, seconds: number | undefined, hint = '') => {
    if (!budget || seconds! <= budget.left()) return false;
    const why = `needs about ${durationText(seconds!)}, ${durationText(Math.max(0, budget.left()))} left${hint}`;
    skipped.push(`${what}: ${why}`);
    onEvent?.({ type: 'notice', text: `${noticed} left out: ${why}` });
    return true;
  };
  let chosen: Chooser | undefined;
  const swept = MODEL_STRATEGIES.filter((each) => each === strategy || !context.strategies || context.strategies.includes(each));
  // A sweep scores the tasks' rows beside the validation batches: its cost grows by their share of tokens.
  const taskShare = 1 + tokensIn((context.tasks ?? []).flatMap((task) => task.batches)) / tokensIn(batches);
  for (const [index, each] of swept.entries()) {
    const cost = scaledCost(costs.sweep[each], taskShare);
    const seconds = budget?.estimate(cost);
    if (each !== strategy && leftOut(each, `${each} sweep`, seconds, each === 'search-on-valid' ? ' (--strategy search-on-valid plans the budget for it)' : '')) continue;
    if (each === 'search-on-valid') onEvent?.({ type: 'notice', text: searchText(N, cost, searchWidth, seconds) });
    onEvent?.({ type: 'phase', phase: 'sweep', detail: `${each} at every depth ${N}…1`, part: index + 1, of: swept.length });
    run(cost, () => {
      const selector = chooser(choices, { ...choice, strategy: each });
      if (each === strategy) chosen = selector;
      sweeps[each] = depthSweep(model, batches, selector.select, context.tasks);
    });
  }
  let sublayers: SublayerMeasurements | undefined;
  const partsCost = sublayerCost(N, searchWidth);
  if (context.sublayers && !leftOut('attention and MLP apart', 'attention and MLP apart', budget?.estimate(partsCost))) {
    sublayers = run(partsCost, () => measureSublayers(model, batches, searchWidth, onEvent));
  }
  const { metric, target, select, margin } = chosen ?? chooser(choices, choice);
  return { fullLoss, statistics, angularDistance: distances, sweeps, ...sublayers, strategy, metric, target, keep: select(target), margin: margin?.(target), ...(skipped.length && { skipped }) };
}

/** The search's cost, said before it starts. */
function searchText(layers: number, cost: WalkCost, width: number | undefined, seconds: number | undefined): string {
  const rounds = `${layers - 1} rounds${width === undefined ? '' : ` of at most ${width} removals (the weakest by loss increase)`}`;
  const passes = `at most ${Math.round(cost.blocks).toLocaleString('en-US')} layer evaluations a batch (${(cost.blocks / layers).toFixed(1)} full passes)`;
  return `search-on-valid: ${rounds}, ${passes}${seconds === undefined ? '' : `, about ${durationText(seconds)}`}`;
}
