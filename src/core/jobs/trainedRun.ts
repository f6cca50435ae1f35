import { resolveThreads } from '../train/threadCount';
import { readTrainingRecord, type TrainingRecord } from '../checkpoint/optimizerState';
import type { LoadedConfig } from '../config/loadConfig';
import type { Batch } from '../model/layeredModel';
import { layerDropRates } from '../model/layerDrop';
import type { ChoiceContext } from '../prune/chooseLayers';
import { readRun } from '../run/runFiles';
import type { RunPaths } from '../run/runPaths';
import { findRun } from '../run/runStore';
import { openModel, validationBatches, type OpenedModel } from '../source/openModel';
import { dropStatistics } from '../statistics/dropStatistics';
import { LearnedDropRates, learnedRatesOn } from '../train/learnedDropRates';
import { layerStatistics } from '../statistics/importance';
import { startJob, type ConfigRequest, type JobContext } from './jobContext';
import { withTransformerThreads } from '../evaluate/evaluationThreads';
import { requireCheckpoint } from '../run/checkpointFiles';
import { openTasks } from '../tasks/openTasks';
import type { PreparedTask } from '../tasks/taskBatches';
import { taskPath } from '../tasks/taskPath';

/** A trained model with its run: what analysis, pruning and export work on. */
export interface TrainedRun {
  paths: RunPaths;
  opened: OpenedModel;
  record: TrainingRecord;
}

export interface RunRequest extends ConfigRequest {
  /** A run id under .depthlab/runs; default: the config's newest run with a checkpoint. */
  runId?: string;
}

/**
 * Open a run's last checkpoint for `use`, and dispose the model afterwards. Its evaluations run on
 * the config's `train.threads` cores, unless `use` changes the weights (the replicas would not follow).
 */
export async function withTrainedRun<T>(request: RunRequest, context: JobContext, use: (trained: TrainedRun, loaded: LoadedConfig) => T, options: { changesWeights?: boolean } = {}): Promise<T> {
  const { loaded, backend } = await startJob(request, context);
  const run = readRun(findRun(loaded.file, request.runId));
  const trained = { paths: run.paths, opened: openModel({ kind: 'run', loaded, run }), record: readTrainingRecord(requireCheckpoint(run.paths).optimizer) };
  try {
    const threads = options.changesWeights ? 1 : resolveThreads(trained.opened.config.train);
    return await withTransformerThreads(trained.opened.model, backend, threads, () => use(trained, loaded));
  } finally {
    trained.opened.model.dispose();
  }
}

/** Per-layer statistics: the run's LayerDrop counters (and learned rates) and importance measured on the batches. */
export function measureLayers({ opened, record }: Pick<TrainedRun, 'opened' | 'record'>, batches: Batch[]) {
  const { model, config } = opened;
  const learned = record.learned && learnedRatesOn(new LearnedDropRates(model.layers, config.model.dModel, config.layerdrop.rate, record.learned), model, batches);
  return layerStatistics(model, batches, dropStatistics(record.counters, layerDropRates(config.layerdrop, model.layers), learned));
}

/**
 * The tasks a run's sweep scores: its config's (relative to the config's folder) and `extra` ones
 * a command names (relative to the working directory), tokenized for its model.
 */
export function runTasks(loaded: LoadedConfig, opened: OpenedModel, extra: readonly string[] = []): PreparedTask[] {
  const names = [...(opened.config.tasks ?? []).map((name) => taskPath(name, loaded.dir)), ...extra.map((name) => taskPath(name, process.cwd()))];
  const notNextToken = opened.config.task === 'language-model' ? undefined : `this run is a classifier (task: ${opened.config.task})`;
  return openTasks(names, loaded.dir, opened.tokenizer, opened.config.model.seqLen, notNextToken);
}

/** How to choose layers of a trained run, measuring statistics only if the strategy asks for them. */
export function choiceContext(trained: Pick<TrainedRun, 'opened' | 'record'>, batches = validationBatches(trained.opened)): ChoiceContext {
  return { model: trained.opened.model, batches, prune: trained.opened.config.prune, statistics: () => measureLayers(trained, batches).layers };
}
