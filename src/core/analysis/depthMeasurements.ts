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
import { targetDepth } from '../prune/targetDepth';
import type { EstimateAgreement } from '../report/estimateNote';
import { estimatesCost, estimatesFirst } from './estimatesFirst';
import type { TimeBudget } from './timeBudget';

/** The strategies a model's depth sweep compares, the costly search last (first-k is a baseline for trained runs only). */
export const MODEL_STRATEGIES: PruneStrategy[] = ['every-other', 'importance', 'contiguous-block', 'spread', 'search-on-valid'];

/** Under a time budget, search-on-valid's rounds try the four weakest layers by loss increase. */
export const BUDGET_SEARCH_WIDTH = 4;

export interface DepthMeasurements {
  fullLoss: number;
  statistics: LayerStatistics[];
  angularDistance: number[][];
  /** Where exact loss increases were measured beside the estimates, how well these ranked them. */
  estimateAgreement?: EstimateAgreement;
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
  return { importance, angular, sweep, estimates: estimatesCost(layers) };
}

export type PhaseCosts = ReturnType<typeof phaseCosts>;

/** How much of an analysis a budget plans for (the rest runs if time remains). */
export type Plan =
  /** The per-layer measurements and every cheap sweep (search-on-valid only when it is the choice). */
  | 'everything'
  /** The per-layer measurements and the chosen strategy's sweep. */
  | 'essential'
  /** First-order estimates for every layer, the exact removals that decide the choice as time allows, the chosen sweep if it fits. */
  | 'estimates';

/** Per batch, what a plan must fit: for `estimates`, `reserve` times the estimates pass (the rest of the reserve for exact removals). */
export function plannedCost(costs: PhaseCosts, strategy: PruneStrategy, plan: Plan = 'everything', only?: readonly PruneStrategy[], reserve = 1): WalkCost {
  if (plan === 'estimates') return { blocks: costs.estimates.blocks * reserve, readouts: costs.estimates.readouts * reserve, layers: costs.estimates.layers * reserve };
  const sweeps = MODEL_STRATEGIES.filter((s) => s === strategy || (plan === 'everything' && s !== 'search-on-valid' && (!only || only.includes(s)))).map((s) => costs.sweep[s]);
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
  /** Estimate every layer's loss increase first, then measure exactly the layers that decide the choice while the budget lasts (estimatesFirst.ts): what a budget too small for the exact pass plans. */
  estimates?: boolean;
}

/**
 * Everything DepthLab measures of a model it did not train, cheap measurements first: per-layer
 * importance (no LayerDrop counters) and Block Influence in one walk, angular distances, then a
 * depth sweep per strategy, search-on-valid last with its cost said before it starts; and the
 * choice's layers. Under a budget too small for the exact per-layer pass, first-order estimates
 * and the exact removals that decide the choice take its place (estimatesFirst.ts).
 */
export function measureDepth(model: LayeredModel, batches: Batch[], choice: Omit<LayerChoice, 'layers'>, context: MeasureContext = {}): DepthMeasurements {
  const { budget, onEvent } = context;
  const N = model.layers;
  const strategy = choice.strategy ?? 'every-other';
  const searchWidth = context.searchWidth ?? (budget ? BUDGET_SEARCH_WIDTH : undefined);
  const costs = phaseCosts(N, searchWidth);
  const planned = context.estimates ? addCosts(costs.estimates, costs.sweep[strategy]) : plannedCost(costs, strategy, 'everything', context.strategies);
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

  // A sweep scores the tasks' rows beside the validation batches: its cost grows by their share of tokens.
  const taskShare = 1 + tokensIn((context.tasks ?? []).flatMap((task) => task.batches)) / tokensIn(batches);
  const sweepCost = (each: PruneStrategy) => scaledCost(costs.sweep[each], taskShare);
  const skipped: string[] = [];
  let measured: { fullLoss: number; statistics: LayerStatistics[]; distances: number[][]; estimateAgreement?: EstimateAgreement };
  if (context.estimates && budget) {
    onEvent?.({ type: 'phase', phase: 'importance', detail: 'first-order loss increases: one forward and one backward pass' });
    // The exact removals leave the chosen sweep its time where it fits beside them.
    let reserve: number | undefined;
    const fits = (cost: WalkCost) => {
      if (reserve === undefined) {
        const sweepSeconds = budget.estimate(sweepCost(strategy));
        reserve = sweepSeconds <= budget.left() ? sweepSeconds : 0;
      }
      return budget.estimate(cost) <= budget.left() - reserve;
    };
    const target = targetDepth(N, undefined, choice.target);
    const { estimated, statistics, agreement, unmeasured } = estimatesFirst(model, batches, target, run, fits, onEvent);
    if (unmeasured.length) skipped.push(`exact loss increase of layers ${unmeasured.join(',')}: their first-order estimates stand in (a larger --budget measures them)`);
    measured = { fullLoss: estimated.fullLoss, statistics, distances: estimated.angularDistance, ...(agreement && { estimateAgreement: agreement }) };
  } else {
    const { fullLoss, layers: statistics } = run(costs.importance, () => layerStatistics(model, batches, dropStatistics(emptyCounters(N), new Array(N).fill(0))));
    onEvent?.({ type: 'phase', phase: 'angular', detail: 'angular distance between the streams n layers apart' });
    measured = { fullLoss, statistics, distances: run(costs.angular, () => angularDistances(model, batches)) };
  }
  const { fullLoss, statistics, distances } = measured;
  const choices = {
    model,
    batches,
    prune: { strategy, metric: choice.metric ?? 'loss-increase', searchWidth },
    statistics: () => statistics,
    angularDistances: () => distances,
  } as const;
  const sweeps: DepthMeasurements['sweeps'] = {};
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
  for (const [index, each] of swept.entries()) {
    const cost = sweepCost(each);
    const seconds = budget?.estimate(cost);
    // Under the estimates plan even the chosen sweep gives way: its layers need no sweep to be chosen.
    if ((each !== strategy || context.estimates) && leftOut(each, `${each} sweep`, seconds, each === 'search-on-valid' ? ' (--strategy search-on-valid plans the budget for it)' : '')) continue;
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
  return { fullLoss, statistics, angularDistance: distances, ...(measured.estimateAgreement && { estimateAgreement: measured.estimateAgreement }), sweeps, ...sublayers, strategy, metric, target, keep: select(target), margin: margin?.(target), ...(skipped.length && { skipped }) };
}

/** The search's cost, said before it starts. */
function searchText(layers: number, cost: WalkCost, width: number | undefined, seconds: number | undefined): string {
  const rounds = `${layers - 1} rounds${width === undefined ? '' : ` of at most ${width} removals (the weakest by loss increase)`}`;
  const passes = `at most ${Math.round(cost.blocks).toLocaleString('en-US')} layer evaluations a batch (${(cost.blocks / layers).toFixed(1)} full passes)`;
  return `search-on-valid: ${rounds}, ${passes}${seconds === undefined ? '' : `, about ${durationText(seconds)}`}`;
}
