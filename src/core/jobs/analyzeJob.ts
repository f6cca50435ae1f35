import type { LayerChoice } from '../prune/chooseLayers';
import { readRun, type Analysis, type HealRecord } from '../run/runFiles';
import { analyzeRun } from '../analysis/analyzeRun';
import type { JobContext } from './jobContext';
import { runTasks, withTrainedRun, type RunRequest } from './openRun';

export type AnalyzeJobRequest = RunRequest &
  Omit<LayerChoice, 'layers'> & {
    /** Tasks beside the config's: bundled names, JSON Lines or parquet files relative to the working directory, or dataset splits in the Hugging Face cache. */
    tasks?: string[];
    /** Score only each task's first questions. */
    limit?: number;
    /** Measure attention and MLP apart, whatever the config's prune.sublayers says. */
    sublayers?: boolean;
  };

export interface AnalyzeJobResult {
  runId: string;
  analysis: Analysis;
  /** The run's healed sub-networks (depthlab heal), for the sweep table's healed column. */
  healed: HealRecord[];
  /** The run's report page (depthlab report). */
  report: string;
}

/** Per-layer statistics and a depth sweep of a trained run, saved in the run. */
export function analyzeJob(request: AnalyzeJobRequest, context: JobContext): Promise<AnalyzeJobResult> {
  return withTrainedRun(request, context, async (trained, loaded) => ({
    runId: trained.paths.id,
    analysis: analyzeRun(trained, request, context.onEvent, { tasks: await runTasks(loaded, trained.opened, request.tasks, request.limit), sublayers: request.sublayers }),
    healed: readRun(trained.paths).healed,
    report: trained.paths.report,
  }));
}
