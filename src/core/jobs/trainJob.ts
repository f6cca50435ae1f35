import { resolveThreads } from '../backend/threadCount';
import type { Analysis } from '../run/runFiles';
import { readRun, type RunStatus } from '../run/runFiles';
import { findRun } from '../run/runStore';
import { train } from '../train/trainer';
import { analyzeRun } from '../analysis/analyzeRun';
import { runTasks } from './openRun';
import { withTransformerThreads } from '../evaluate/evaluationThreads';
import { startJob, type ConfigRequest, type JobContext } from './jobContext';

export interface TrainJobRequest extends ConfigRequest {
  /** Continue a run from its last checkpoint: its id, or true for the newest. */
  resume?: string | true;
  /** After training completes, measure every layer and sweep every depth (the config's strategy). */
  analyze?: boolean;
}

export interface TrainJobResult {
  runId: string;
  runDir: string;
  backend: string;
  status: RunStatus;
  step: number;
  analysis?: Analysis;
  /** With the analysis: its report page. */
  report?: string;
}

/** Train with LayerDrop (Ctrl-C or cancel: stop after the step with a checkpoint), then optionally analyse. */
export async function trainJob(request: TrainJobRequest, context: JobContext): Promise<TrainJobResult> {
  const { loaded, backend } = await startJob(request, context);
  const resume = request.resume === undefined ? undefined : readRun(findRun(loaded.file, request.resume === true ? undefined : request.resume));
  const outcome = await train({ loaded, backend, resume, signal: context.signal, onEvent: context.onEvent });
  try {
    const result = { runId: outcome.run.id, runDir: outcome.run.dir, backend, status: outcome.status, step: outcome.step };
    if (!request.analyze || outcome.status !== 'completed') return result;
    const tasks = await runTasks(loaded, outcome.opened);
    const analysis = await withTransformerThreads(outcome.opened.model, backend, resolveThreads(loaded.config.train), () =>
      analyzeRun({ paths: outcome.run, opened: outcome.opened, record: outcome.record }, {}, context.onEvent, { tasks }),
    );
    return { ...result, analysis, report: outcome.run.report };
  } finally {
    outcome.opened.model.dispose();
  }
}
