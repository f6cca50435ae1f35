import { PRUNE_STRATEGIES, type ImportanceMetric, type PruneStrategy } from '../config/choices';
import { UserError } from '../errors';
import { depthSweep } from '../evaluate/depthSweep';
import { modelAnalysisFile, writeModelAnalysis, type ModelAnalysis } from '../huggingface/modelAnalysisFile';
import { chooser } from '../prune/chooseLayers';
import { angularDistances } from '../statistics/angularDistance';
import { dropStatistics, emptyCounters } from '../statistics/dropStatistics';
import { layerStatistics } from '../statistics/importance';
import { countingPasses } from '../model/countedPasses';
import type { JobContext } from './jobContext';
import { progressReporter } from './progressReporter';
import { withPretrained, type PretrainedRequest } from './openedPretrained';

/** The strategies a model's depth sweep compares (first-k is a baseline for trained runs only). */
const MODEL_STRATEGIES: PruneStrategy[] = PRUNE_STRATEGIES.filter((strategy) => strategy !== 'first-k');

export interface AnalyzeModelRequest extends PretrainedRequest {
  strategy?: PruneStrategy;
  target?: number;
  metric?: ImportanceMetric;
}

export interface AnalyzeModelResult {
  folder: string;
  file: string;
  analysis: ModelAnalysis;
}

/**
 * A Hugging Face model measured on the user's text: perplexity of the full model; per layer the
 * loss increase when removed alone, Block Influence and weight norm; angular distances between
 * the streams n layers apart; a depth sweep for every strategy; the chosen strategy's layers at
 * the target. Saved in the model folder's `.depthlab/analysis.json`.
 */
export function analyzeModelJob(request: AnalyzeModelRequest, context: JobContext): Promise<AnalyzeModelResult> {
  return withPretrained(request, context, ({ folder, model: pretrained, batches, data }) => {
    // Importance, angular distance, one sweep per strategy, and search-on-valid's N − 1 rounds: each a pass over every batch.
    const model = countingPasses(pretrained, progressReporter('analyze', batches.length * (pretrained.layers + 5), context.onEvent));
    const phase = (detail: string, phase: 'importance' | 'angular' | 'sweep' = 'importance') => context.onEvent?.({ type: 'phase', phase, detail });
    phase(`per-layer importance on ${data.tokens} tokens (${batches.length} batches of ${data.window}-token windows)`);
    const { fullLoss, layers: statistics } = layerStatistics(model, batches, dropStatistics(emptyCounters(model.layers), new Array(model.layers).fill(0)));
    phase('angular distance between the streams n layers apart', 'angular');
    const distances = angularDistances(model, batches);
    const choices = {
      model,
      batches,
      prune: { strategy: request.strategy ?? 'every-other', metric: request.metric ?? 'loss-increase' },
      statistics: () => statistics,
      angularDistances: () => distances,
    } as const;
    const sweeps: ModelAnalysis['sweeps'] = {};
    for (const strategy of MODEL_STRATEGIES) {
      if (context.signal?.aborted) throw new UserError('cancelled');
      phase(`${strategy} at every depth ${model.layers}…1`, 'sweep');
      sweeps[strategy] = depthSweep(model, batches, chooser(choices, { strategy }).select);
    }
    const { strategy, metric, target, select } = chooser(choices, request);
    const analysis: ModelAnalysis = {
      folder,
      modelType: pretrained.config.modelType,
      family: pretrained.config.family,
      objective: pretrained.objective,
      layers: model.layers,
      layerCountKey: pretrained.config.layerCountKey,
      parameters: [...pretrained.weights.files.entries.values()].reduce((sum, entry) => sum + entry.shape.reduce((a, b) => a * b, 1), 0),
      data,
      fullLoss,
      fullPerplexity: Math.exp(fullLoss),
      statistics,
      angularDistance: distances,
      sweeps,
      strategy,
      metric,
      target,
      keep: select(target),
    };
    writeModelAnalysis(folder, analysis);
    return { folder, file: modelAnalysisFile(folder), analysis };
  });
}
