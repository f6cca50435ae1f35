import * as tf from '../backend/tf';
import { forwardSharingPrefixes } from '../model/sharedPrefixes';
import type { WalkCost } from '../evaluate/walkCost';
import { batchPositions, decisionInterval, WINDOWS_PER_BATCH, type WindowCuts } from './windowChoice';
import { affineUnits, proportionalUnits, type UnitCosts, type UnitsAt } from './unitCosts';
import { type LayeredModel } from '../model/layeredModel';
import { tokensIn, type Batch } from '../data/batch';
import { durationText } from '../config/duration';
import { UserError } from '../errors';
import { contiguousShares } from '../evaluate/evaluationThreads';

/** What an analysis on the CPU may take when neither --tokens nor --budget says: five minutes. */
export const DEFAULT_CPU_BUDGET_SECONDS = 300;

/** Seconds a walk of this cost takes on a batch of `windows` windows: layers are read once a batch, whatever its size, and a head in the file once a group of readouts. */
export function walkSeconds(units: UnitCosts, cost: WalkCost, windows: number): number {
  const { tableRead } = units;
  const passes = tableRead ? Math.ceil((cost.readouts * windows * tableRead.rowsPerWindow) / tableRead.rowsPerPass) * tableRead.seconds : 0;
  return windows * (cost.blocks * units.secondsPerBlock + cost.readouts * units.secondsPerReadout) + passes + cost.layers * units.secondsPerLayerRead;
}

/**
 * Layers timed to learn what one costs: a decoder's layers share one shape. Timing all 32 of an 8B
 * model took a minute before the plan; three give a median past the first one's warm-up.
 */
export const CALIBRATION_LAYERS = 3;

/**
 * One window through the first layers and the readout, each step timed: a layer's cost is the
 * median of theirs, `secondsReading` (a streamed model's clock of layer reads) splitting reads from
 * arithmetic; the readout's is what the pass took besides its layers.
 */
export function unitCosts(model: LayeredModel, window: Batch, secondsReading: () => number = () => 0): UnitCosts {
  const layers = Array.from({ length: Math.min(model.layers, CALIBRATION_LAYERS) }, (_, l) => l);
  const steps: { seconds: number; reading: number }[] = [];
  let [last, read] = [performance.now(), secondsReading()];
  const [started, tableBefore] = [last, model.readoutSecondsReading ?? 0];
  tf.tidy(() => {
    forwardSharingPrefixes(model, window, [layers], () => {
      const [now, reading] = [performance.now(), secondsReading()];
      steps.push({ seconds: (now - last) / 1000, reading: reading - read });
      [last, read] = [now, reading];
    });
  });
  const total = (performance.now() - started) / 1000;
  const layerSeconds = steps.reduce((sum, step) => sum + step.seconds, 0);
  const tableSeconds = (model.readoutSecondsReading ?? 0) - tableBefore;
  const grouped = (model.readoutRows ?? 1) > 1 && tableSeconds > 0;
  return {
    secondsPerBlock: median(steps.map((step) => Math.max(step.seconds - step.reading, 0))),
    secondsPerReadout: Math.max(total - layerSeconds - (grouped ? tableSeconds : 0), 0),
    secondsPerLayerRead: median(steps.map((step) => step.reading)),
    ...(grouped && { tableRead: { seconds: tableSeconds, rowsPerPass: model.readoutRows!, rowsPerWindow: window.size * window.length } }),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * A time budget spent phase by phase: each phase's cost is counted before it runs (walkCost.ts), its
 * seconds estimated from the unit costs, and the estimates corrected by how the phases so far fared.
 */
export class TimeBudget {
  private readonly started = performance.now();
  private estimated = 0;
  private taken = 0;

  constructor(
    readonly seconds: number,
    private readonly units: UnitCosts,
    /** Windows in each batch. */
    private readonly batchSizes: number[],
    private readonly threads: number,
  ) {}

  /** Seconds a walk of this per-batch cost takes over all the batches. */
  estimate(cost: WalkCost): number {
    const correction = this.estimated > 0 ? this.taken / this.estimated : 1;
    return this.rawEstimate(cost) * correction;
  }

  left(): number {
    return this.seconds - (performance.now() - this.started) / 1000;
  }

  /** Runs a phase of this cost, learning from how long it took against its estimate. */
  run<T>(cost: WalkCost, work: () => T): T {
    const started = performance.now();
    const value = work();
    this.taken += (performance.now() - started) / 1000;
    this.estimated += this.rawEstimate(cost);
    return value;
  }

  private rawEstimate(cost: WalkCost): number {
    return wallSeconds(
      this.batchSizes.map((windows) => walkSeconds(this.units, cost, windows)),
      this.threads,
    );
  }
}

/** A plan a budget may fit: its cost per batch, and what the plan's line says it measures ('' for everything). */
export interface BudgetPlan<Name extends string = string> {
  name: Name;
  cost: WalkCost;
  what: string;
  /** A plan that goes on while time remains: the phase whose time the line gives, and its name there (else the whole plan's). */
  first?: { label: string; cost: WalkCost };
  /** Taken only where no other plan fits two windows (estimates stand in for exact values). */
  fallback?: boolean;
}

export interface BudgetedBatches<Name extends string = string> {
  batches: Batch[];
  budget: TimeBudget;
  text: string;
  /** The plan that fit. */
  plan: Name;
}

/** The wall time of batches costing `seconds` each on `threads` threads: the longest of the contiguous shares they get (evaluationThreads.ts), so three batches on two threads take two batches' time, not one and a half. */
export function wallSeconds(seconds: readonly number[], threads: number): number {
  return Math.max(0, ...contiguousShares(seconds, threads).map((share) => share.reduce((sum, s) => sum + s, 0)));
}

/** The first batches that fit `seconds` when a batch costs `secondsOf` and `threads` share them: the first ones, so that a larger budget measures a superset. */
export function batchesThatFit(all: Batch[], secondsOf: (batch: Batch) => number, threads: number, seconds: number): Batch[] {
  const costs: number[] = [];
  for (const batch of all) {
    costs.push(secondsOf(batch));
    if (wallSeconds(costs, threads) > seconds) return all.slice(0, costs.length - 1);
  }
  return all;
}

/** Standard errors need two batches at least. */
const FEWEST_BATCHES = 2;

/**
 * A window timed faster than this is timed again: the first run's warm-up (sessions, allocations)
 * was most of it. A 4-layer fixture's layer timed 0.02 s cold and 0.005 s warm; an 8B layer's
 * 1.5 s is its work, and a second timing would cost seconds.
 */
const WARM_UP_SECONDS = 1;

/**
 * The share of the time left that a plan's phases fill, the rest left to the estimates' errors
 * (and to the phases that run if time remains): a Llama-1B plan of 9 min 57 s took 10 min 59 s
 * here, two evaluation threads slower together than the one timed window said (2026-12-07).
 */
const PLANNED_SHARE = 0.9;

/** A plan's windows within the budget: the cut whose decision interval is narrowest. */
export interface FittedCut {
  batches: Batch[];
  units: UnitCosts;
  interval: number;
}

/** Within this of the narrowest interval, a cut nearer the request's window is kept: its context is what the user asked for. */
const NEAR_NARROWEST = 1.1;

/** A leaner plan replaces a fuller one only where it narrows the decision's interval more than this: twice as narrow needs about four times the tokens. */
const NARROWER_BY = 2;

/**
 * The windows a plan of this per-batch cost measures within `seconds`: every length the cuts allow
 * and 4, 2 or 1 windows a batch (never more positions than four windows of the request's), the
 * first batches that fit each, and of those the cut whose decision interval is narrowest.
 */
function narrowestCut(cuts: WindowCuts, unitsAt: UnitsAt, cost: WalkCost, threads: number, seconds: number): FittedCut | undefined {
  const fitted: FittedCut[] = [];
  for (const length of [cuts.length, ...cuts.others]) {
    const scaled = unitsAt(length);
    for (const size of WINDOWS_PER_BATCH.filter((size) => size * length <= batchPositions(cuts))) {
      const all = cuts.cut(length, size);
      const batches = batchesThatFit(all, (batch) => walkSeconds(scaled, cost, batch.size), threads, seconds);
      const windows = all.reduce((sum, batch) => sum + batch.size, 0);
      if (batches.length < Math.min(FEWEST_BATCHES, windows) || batches.length === 0) continue;
      fitted.push({ batches, units: scaled, interval: decisionInterval(batches.length, tokensIn(batches)) });
    }
  }
  const narrowest = Math.min(...fitted.map((cut) => cut.interval));
  return fitted.find((cut) => cut.interval <= narrowest * NEAR_NARROWEST);
}

/** A plan and the windows it measures within the budget. */
export type FittedPlan<Name extends string> = FittedCut & { plan: BudgetPlan<Name> };

/**
 * Of `plans` (what an analysis would measure, most first), the one to run within `seconds`: each
 * gets the windows (`cuts`: their length and count) that give its decision the narrowest 95%
 * interval, and the fullest plan is taken unless a leaner one narrows that interval by more than
 * NARROWER_BY. A `fallback` plan is taken only where no other fits two windows, the first that
 * fits. `fitting`: every plan that fits, in order.
 */
export function choosePlan<Name extends string>(cuts: WindowCuts, unitsAt: UnitsAt, plans: BudgetPlan<Name>[], threads: number, seconds: number): { fitting: FittedPlan<Name>[]; chosen?: FittedPlan<Name> } {
  const fitting = plans.flatMap((plan) => {
    const cut = narrowestCut(cuts, unitsAt, plan.cost, threads, seconds);
    return cut ? [{ plan, ...cut }] : [];
  });
  const full = fitting.filter(({ plan }) => !plan.fallback);
  const narrowest = Math.min(...full.map((fit) => fit.interval));
  // Fallbacks stand in order: their estimates' interval says nothing of the exact values they leave time for.
  return { fitting, chosen: full.length ? full.find((fit) => fit.interval <= narrowest * NARROWER_BY) : fitting[0] };
}

/**
 * The batches an analysis can measure within the budget's `seconds`, of which opening the model has
 * `spent` some, after timing one window (that time counts too), and the budget to spend on them
 * (choosePlan). A budget too small for two windows of the last plan is a user error giving the
 * smallest that works.
 */
export function batchesWithinBudget<Name extends string>(model: LayeredModel, cuts: WindowCuts, plans: BudgetPlan<Name>[], threads: number, { seconds: budgetSeconds, spent }: { seconds: number; spent: number }, secondsReading?: () => number): BudgetedBatches<Name> {
  const started = performance.now();
  const timedAt = (length: number) => {
    const window = cuts.cut(length, 1)[0];
    const begun = performance.now();
    const first = unitCosts(model, window, secondsReading);
    return { length, units: (performance.now() - begun) / 1000 < WARM_UP_SECONDS ? unitCosts(model, window, secondsReading) : first };
  };
  const timed = timedAt(cuts.length);
  const { units } = timed;
  // Opening the model and timing windows are part of what the user waits for.
  const calibrated = () => spent + (performance.now() - started) / 1000;
  const planned = () => (budgetSeconds - calibrated()) * PLANNED_SHARE;
  let { fitting, chosen } = choosePlan(cuts, proportionalUnits(units, cuts.length), plans, threads, planned());
  const length = chosen?.batches[0].length ?? cuts.length;
  // Proportional costs miss what does not shrink with the window: a plan on other windows times one of them, and chooses again.
  const second = length === cuts.length ? undefined : timedAt(length);
  if (second) ({ fitting, chosen } = choosePlan(cuts, affineUnits(timed, second), plans, threads, planned()));
  const calibration = calibrated();
  const left = budgetSeconds - calibration;
  const tableReads = units.tableRead ? `, reading the head in ${durationText(units.tableRead.seconds)} a pass of up to ${Math.floor(units.tableRead.rowsPerPass / units.tableRead.rowsPerWindow)} readouts` : '';
  const reads = (units.secondsPerLayerRead > 0 ? `, reading a layer in ${durationText(units.secondsPerLayerRead)}` : '') + tableReads;
  const at = (timing: { length: number; units: UnitCosts }) => `on a window of ${timing.length} a layer takes ${durationText(timing.units.secondsPerBlock)}, the readout ${durationText(timing.units.secondsPerReadout)}`;
  const unitText = `${at(timed)}${second ? ` (${at(second)})` : ''}${reads}`;
  if (!chosen) {
    const smallest = calibration + wallSeconds(new Array(FEWEST_BATCHES).fill(walkSeconds(units, plans.at(-1)!.cost, 1)), threads) / PLANNED_SHARE;
    throw new UserError(`--budget ${durationText(budgetSeconds)} is less than the analysis of two windows here (about ${durationText(smallest)}: ${unitText}); the smallest budget that works is ${Math.ceil(smallest)}s, or a shorter --window`);
  }
  const { plan, batches } = chosen;
  const budget = new TimeBudget(left, chosen.units, batches.map((batch) => batch.size), threads);
  const tokensOf = (batches: Batch[]) => tokensIn(batches).toLocaleString('en-US');
  const [tokens, total] = [tokensOf(batches), tokensOf(cuts.cut(cuts.length, 4))];
  const limit = tokens === total ? `all ${total} tokens fit` : `${tokens} of ${total} tokens fit`;
  const fuller = fitting[0] !== chosen && !fitting[0].plan.fallback ? `; the fuller plan (${fitting[0].plan.name}) would fit ${tokensOf(fitting[0].batches)} tokens, its interval ${(fitting[0].interval / chosen.interval).toFixed(1)}× as wide` : '';
  const windows = `${batches.length} batches of ${batches[0].size} × ${batches[0].length}${cuts.others.length ? ', the windows that narrow its interval most' : ''}${fuller}`;
  const about = plan.first ? `${plan.first.label} in about ${durationText(calibration + budget.estimate(plan.first.cost))}` : `about ${durationText(calibration + budget.estimate(plan.cost))}`;
  const text = `budget ${durationText(budgetSeconds)}: ${limit}${plan.what} (${windows}; ${unitText}), ${about}`;
  return { batches, budget, text, plan: plan.name };
}
