import type { ImportanceMetric, PruneStrategy } from '../config/choices';
import { modelAnalysisFile, writeModelAnalysis, type ModelAnalysis } from '../run/modelAnalysisFile';
import { computesOnGpu } from '../backend/selectBackend';
import { evaluationThreadCount } from '../evaluate/evaluationThreads';
import { BUDGET_SEARCH_WIDTH, measureDepth, phaseCosts, plannedCost, type Plan } from '../analysis/depthMeasurements';
import type { PretrainedModel } from '../huggingface/pretrainedModel';
import { tokensIn } from '../data/batch';
import type { WindowCuts } from '../analysis/windowChoice';
import { keptSize, modelSize } from '../evaluate/cutCost';
import type { JobContext } from './jobContext';
import { reportData } from '../report/reportData';
import { writeReport } from '../report/reportPage';
import { withPretrained, type MeasuredPretrained, type PretrainedRequest } from './openedPretrained';
import { openTasks, taskNotice } from '../tasks/openTasks';
import { measuredTasks } from '../analysis/analyzeRun';
import { TASK_WINDOW } from '../tasks/taskBatches';
import { requireSeparableParts } from '../statistics/partImportance';
import { batchesWithinBudget, DEFAULT_CPU_BUDGET_SECONDS, type BudgetPlan } from '../analysis/timeBudget';

export interface AnalyzeModelRequest extends PretrainedRequest {
  strategy?: PruneStrategy;
  target?: number;
  metric?: ImportanceMetric;
  /** Measure on as many tokens (up to `tokens`) as fit this many seconds; on the CPU, without `tokens`, 5 minutes. */
  budgetSeconds?: number;
  /** search-on-valid's removals tried per round (default: all; 4 under a budget). */
  searchWidth?: number;
  /** Multiple-choice tasks to score at every depth: bundled names, JSON Lines or parquet files (relative to the working directory), or dataset splits in the Hugging Face cache. */
  tasks?: string[];
  /** Score only each task's first questions. */
  limit?: number;
  /** Also measure each layer's attention and MLP apart, and search greedily over them. */
  sublayers?: boolean;
  /** Sweep only these strategies, and the chosen one (default: every one). */
  strategies?: PruneStrategy[];
}

export interface AnalyzeModelResult {
  folder: string;
  file: string;
  analysis: ModelAnalysis;
  /** The analysis's report page (depthlab report). */
  report?: string;
}

/**
 * A Hugging Face model measured on the user's text: perplexity of the full model; per layer the
 * loss increase when removed alone, Block Influence and weight norm; angular distances between
 * the streams n layers apart; a depth sweep for every strategy; the chosen strategy's layers at
 * the target. Saved in the model folder's `.depthlab/analysis.json`.
 */
export function analyzeModelJob(request: AnalyzeModelRequest, context: JobContext): Promise<AnalyzeModelResult> {
  const started = performance.now();
  return withPretrained(request, context, async (opened) => writtenAnalysis(await analyzeOpened(opened, request, context, started)));
}

/** An analysis saved in its model folder's `.depthlab/analysis.json`, with its report page. */
export function writtenAnalysis(analysis: ModelAnalysis): AnalyzeModelResult {
  writeModelAnalysis(analysis.folder, analysis);
  return { folder: analysis.folder, file: modelAnalysisFile(analysis.folder), analysis, report: writeReport(reportData(analysis.folder)) };
}

/**
 * An opened model's analysis: what `analyze` measures once the model is open on a backend, what
 * `--emit-script` records the requests of, and what `depthlab import` rebuilds from a script's
 * replies (analysis/emittedScript.ts).
 */
export async function analyzeOpened({ folder, model: pretrained, tokenizer, batches: all, data: text, cuts }: MeasuredPretrained, request: AnalyzeModelRequest, context: JobContext, started = performance.now()): Promise<ModelAnalysis> {
  const notNextToken = pretrained.objective === 'causal-lm' ? undefined : `${pretrained.config.modelType} is a masked language model`;
  if (request.sublayers) requireSeparableParts(pretrained);
  const tasks = await openTasks(request.tasks ?? [], process.cwd(), tokenizer, Math.min(pretrained.maxPositions - 2, TASK_WINDOW), notNextToken, request.limit);
  for (const task of tasks) context.onEvent?.({ type: 'notice', text: taskNotice(task) });
  const budget = request.budgetSeconds ?? (request.tokens === undefined && !computesOnGpu() ? DEFAULT_CPU_BUDGET_SECONDS : undefined);
  const within = budget === undefined ? undefined : withinBudget(pretrained, cuts, request, { seconds: budget, spent: (performance.now() - started) / 1000 });
  const batches = within?.batches ?? all;
  const data = { ...text, tokens: tokensIn(batches), window: batches[0].length };
  if (within) context.onEvent?.({ type: 'notice', text: within.text });
  context.onEvent?.({ type: 'phase', phase: 'importance', detail: `measuring on ${data.tokens} tokens (${batches.length} batches of ${data.window}-token windows)` });
  const measured = measureDepth(pretrained, batches, request, { ...context, budget: within?.budget, searchWidth: request.searchWidth, strategies: request.strategies, tasks, sublayers: request.sublayers, estimates: within?.plan === 'estimates' });
  const analysis: ModelAnalysis = {
    folder,
    modelType: pretrained.config.modelType,
    family: pretrained.family.name,
    objective: pretrained.objective,
    layers: pretrained.layers,
    layerCountKey: pretrained.config.layerCountKey,
    parameters: keptSize(modelSize(pretrained), Array.from({ length: pretrained.layers }, (_, l) => l)).parameters,
    ...(typeof pretrained.config.raw.layerdrop === 'number' && pretrained.config.raw.layerdrop > 0 && { layerdrop: pretrained.config.raw.layerdrop }),
    data,
    fullPerplexity: Math.exp(measured.fullLoss),
    ...measured,
    ...(tasks.length && { tasks: measuredTasks(tasks) }),
  };
  return analysis;
}

/** The batches that fit the budget: everything planned, or the essentials where they narrow the decision's interval by more than half (depthMeasurements.ts); estimates where neither fits two windows. */
function withinBudget(model: PretrainedModel, cuts: WindowCuts, request: AnalyzeModelRequest, budget: { seconds: number; spent: number }) {
  const costs = phaseCosts(model.layers, request.searchWidth ?? BUDGET_SEARCH_WIDTH);
  const strategy = request.strategy ?? 'every-other';
  const estimates = ' for first-order estimates of every layer, then exact loss increases where they decide the choice (and the sweep) until the budget ends';
  const plans: BudgetPlan<Plan>[] = [
    { name: 'everything', cost: plannedCost(costs, strategy, 'everything'), what: '' },
    { name: 'essential', cost: plannedCost(costs, strategy, 'essential'), what: ' for the per-layer measurements and the chosen sweep (the other sweeps if time remains)' },
    ...([2, 1] as const).map((reserve) => ({ name: 'estimates' as const, cost: plannedCost(costs, strategy, 'estimates', undefined, reserve), what: estimates, first: { label: 'the estimates', cost: costs.estimates }, fallback: true })),
  ];
  return batchesWithinBudget(model, cuts, plans, evaluationThreadCount(request.threads), budget, () => model.weights.secondsReading);
}
