import type { LayerChoice } from '../prune/chooseLayers';
import type { Analysis } from '../run/runFiles';
import { analyzeRun } from './analysis';
import type { JobContext } from './jobContext';
import { withTrainedRun, type RunRequest } from './trainedRun';

export type AnalyzeJobRequest = RunRequest & Omit<LayerChoice, 'layers'>;

export interface AnalyzeJobResult {
  runId: string;
  analysis: Analysis;
}

/** Per-layer statistics and a depth sweep of a trained run, saved in the run. */
export function analyzeJob(request: AnalyzeJobRequest, context: JobContext): Promise<AnalyzeJobResult> {
  return withTrainedRun(request, context, (trained) => ({ runId: trained.paths.id, analysis: analyzeRun(trained, request, context.onEvent) }));
}
