import { resolveThreads } from '../backend/threadCount';
import type { TrainedRun } from '../analysis/trainedRun';
import type { LoadedConfig } from '../config/loadConfig';
import { taskPath } from '../config/taskPath';
import { withTransformerThreads } from '../evaluate/evaluationThreads';
import { requireCheckpoint } from '../run/checkpointFiles';
import { openModel, type OpenedModel } from '../run/openModel';
import { readRun } from '../run/runFiles';
import { findRun } from '../run/runStore';
import { openTasks } from '../tasks/openTasks';
import type { PreparedTask } from '../tasks/taskBatches';
import { readTrainingRecord } from '../train/optimizerState';
import { startJob, type ConfigRequest, type JobContext } from './jobContext';

export interface RunRequest extends ConfigRequest {
  /** A run id under .depthlab/runs; default: the config's newest run with a checkpoint. */
  runId?: string;
}

/**
 * Open a run's last checkpoint for `use`, and dispose the model afterwards. Its evaluations run on
 * the config's `train.threads` cores, unless `use` changes the weights (the replicas would not follow).
 */
export async function withTrainedRun<T>(
  request: RunRequest,
  context: JobContext,
  use: (trained: TrainedRun, loaded: LoadedConfig) => T | Promise<T>,
  options: { changesWeights?: boolean; nothingToCompute?: (loaded: LoadedConfig) => string | undefined } = {},
): Promise<T> {
  const { loaded, backend } = await startJob(request, context, options.nothingToCompute);
  const run = readRun(findRun(loaded.file, request.runId));
  const trained = { paths: run.paths, opened: openModel({ kind: 'run', loaded, run }), record: readTrainingRecord(requireCheckpoint(run.paths).optimizer) };
  try {
    const threads = options.changesWeights ? 1 : resolveThreads(trained.opened.config.train);
    return await withTransformerThreads(trained.opened.model, backend, threads, () => use(trained, loaded));
  } finally {
    trained.opened.model.dispose();
  }
}

/**
 * The tasks a run's sweep scores: its config's (relative to the config's folder) and `extra` ones
 * a command names (relative to the working directory), tokenized for its model.
 */
export function runTasks(loaded: LoadedConfig, opened: OpenedModel, extra: readonly string[] = [], limit?: number): Promise<PreparedTask[]> {
  const names = [...(opened.config.tasks ?? []).map((name) => taskPath(name, loaded.dir)), ...extra.map((name) => taskPath(name, process.cwd()))];
  const notNextToken = opened.config.task === 'language-model' ? undefined : `this run is a classifier (task: ${opened.config.task})`;
  return openTasks(names, loaded.dir, opened.tokenizer, opened.config.model.seqLen, notNextToken, limit);
}
