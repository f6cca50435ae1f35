import { depthSweep } from '../evaluate/depthSweep';
import { angularDistances } from '../statistics/angularDistance';
import type { EventSink } from '../events';
import { fairseqFlags, huggingFaceConfig } from '../export/interop';
import { chooser, type LayerChoice } from '../prune/chooseLayers';
import { recommendedRate } from '../prune/recommendedRate';
import { reportData } from '../report/reportData';
import { writeReport } from '../report/reportPage';
import { writeAnalysis, writeStatistics, type Analysis, type MeasuredTask } from '../run/runFiles';
import { validationBatches } from '../run/openModel';
import { choiceContext, measureLayers, type TrainedRun } from './trainedRun';
import { taskNotice } from '../tasks/openTasks';
import type { PreparedTask } from '../tasks/taskBatches';
import { measureSublayers } from './sublayerMeasurements';

/** Per-layer statistics, the strategy's layers at the target, and a sweep over every depth; saved in the run with its report. */
export interface AnalysisExtras {
  /** Multiple-choice tasks scored at every depth. */
  tasks?: readonly PreparedTask[];
  /** Measure attention and MLP apart (default: the config's prune.sublayers). */
  sublayers?: boolean;
}

export function analyzeRun(trained: TrainedRun, choice: Omit<LayerChoice, 'layers'>, onEvent?: EventSink, { tasks = [], sublayers }: AnalysisExtras = {}): Analysis {
  const { config, model } = trained.opened;
  const layers = model.layers;
  const batches = validationBatches(trained.opened);
  for (const task of tasks) onEvent?.({ type: 'notice', text: taskNotice(task) });
  onEvent?.({ type: 'phase', phase: 'importance', detail: `per-layer importance on ${batches.length} validation batches` });
  const { fullLoss, layers: statistics } = measureLayers(trained, batches);
  writeStatistics(trained.paths, { fullLoss, layers: statistics });
  // Said before the chooser: search-on-valid does its search there.
  onEvent?.({ type: 'phase', phase: 'sweep', detail: `${choice.strategy ?? config.prune.strategy} at every depth ${layers}…1`, part: 1, of: 1 });
  const { strategy, metric, target, select, margin } = chooser({ ...choiceContext(trained, batches), statistics: () => statistics }, choice);
  const sweep = depthSweep(model, batches, select, tasks);
  onEvent?.({ type: 'phase', phase: 'angular', detail: 'angular distance between the streams n layers apart' });
  const angularDistance = angularDistances(model, batches);
  const parts = (sublayers ?? config.prune.sublayers) && measureSublayers(model, batches, undefined, onEvent);
  for (const row of sweep) onEvent?.({ type: 'depth', row });
  const keep = select(target);
  const analysis: Analysis = {
    task: config.task,
    layers,
    fullLoss,
    statistics,
    strategy,
    metric,
    target,
    keep,
    margin: margin?.(target),
    recommendedRate: recommendedRate(layers, target),
    trainedRate: config.layerdrop.rate,
    sweep,
    ...(tasks.length && { tasks: measuredTasks(tasks) }),
    ...parts,
    angularDistance,
    fairseq: fairseqFlags(config.task, keep),
    huggingFace: huggingFaceConfig(config.task, keep.length, config.layerdrop.rate),
  };
  writeAnalysis(trained.paths, analysis);
  writeReport(reportData(trained.paths.dir));
  return analysis;
}

/** What an analysis records of its tasks. */
export const measuredTasks = (tasks: readonly PreparedTask[]): MeasuredTask[] => tasks.map(({ name, file, items, truncated }) => ({ name, file, items: items.length, truncated }));
