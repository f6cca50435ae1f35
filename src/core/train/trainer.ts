import { saveModelCheckpoint, type CheckpointMeta } from '../checkpoint/modelCheckpoint';
import { loadOptimizerState, saveOptimizerState, type TrainingRecord } from './optimizerState';
import type { LoadedConfig } from '../config/loadConfig';
import { UserError } from '../errors';
import { resumedConfig } from './resumedConfig';
import { evaluate } from '../evaluate/evaluate';
import type { EventSink } from '../events';
import { evaluationLayers, layerDropRates, sampleActiveLayers } from '../model/layerDrop';
import { storageLayer } from '../model/parameters';
import { Rng } from '../random/rng';
import { MetricsLog } from '../run/metricsLog';
import { writeRunConfig, writeStatistics, type RunData, type RunStatus } from '../run/runFiles';
import type { RunPaths } from '../run/runPaths';
import { activeBackend } from '../backend/selectBackend';
import { createRun, updateRun } from '../run/runStore';
import { openModel, validationBatches, type OpenedModel } from '../run/openModel';
import { dropStatistics, emptyCounters, recordStep } from '../statistics/dropStatistics';
import { adamWFor, type AdamW } from './adamW';
import { learningRateAt } from './learningRate';
import { DataParallel } from './dataParallel';
import { trainingStep } from './trainingStep';
import { earlyExitWeights } from './earlyExit';
import { calibrationFile, resolveThreads, threadsMeasuredSlower } from '../backend/threadCount';
import { LEARNED_REFRESH_EVERY, LearnedDropRates, learnedRatesOn, type LearnedRatesState } from './learnedDropRates';
import { pooledLayerInputs } from '../statistics/pooledLayerInputs';
import { removeStaleCheckpoints, requireCheckpoint, writeCheckpoint } from '../run/checkpointFiles';

/** Seeds the learned rates' scorer apart from the model's initialisation. */
const SCORER_SEED = 7919;

export interface TrainRequest {
  loaded: LoadedConfig;
  backend: string;
  /** Continue this run from its last checkpoint, with the config it was started with. */
  resume?: RunData;
  signal?: AbortSignal;
  onEvent?: EventSink;
}

export interface TrainOutcome {
  run: RunPaths;
  status: RunStatus;
  step: number;
  opened: OpenedModel;
  record: TrainingRecord;
}

/** Train with LayerDrop, streaming metrics and checkpointing as configured. The caller disposes `opened.model`. */
export async function train({ loaded, backend, resume, signal, onEvent }: TrainRequest): Promise<TrainOutcome> {
  const config = resume ? resumedConfig(resume.paths.id, resume.config, loaded.config, loaded.file) : loaded.config;
  const rng = new Rng(config.train.seed);
  let opened: OpenedModel;
  let counters = emptyCounters(config.model.layers);
  let learnedState: LearnedRatesState | undefined;
  let run: RunPaths;
  let optimizer: AdamW;
  if (resume) {
    run = resume.paths;
    removeStaleCheckpoints(run);
    const files = requireCheckpoint(run);
    opened = openModel({ kind: 'run', loaded, run: resume });
    optimizer = adamWFor(opened.model, config.train.weightDecay);
    const state = loadOptimizerState(files.optimizer, optimizer);
    if (state.step !== opened.step) throw new UserError(`run ${run.id}: checkpoint and optimizer state disagree (steps ${opened.step} and ${state.step}); start a new run`);
    rng.setState(state.rngState);
    counters = state.counters;
    learnedState = state.learned;
    if (opened.step >= config.train.steps) {
      throw new UserError(`run ${run.id} is already at step ${opened.step} of ${config.train.steps}; to continue it, raise train.steps in ${loaded.file}`);
    }
    if (config.train.steps !== resume.config.train.steps) {
      onEvent?.({ type: 'notice', text: `continuing run ${run.id} to step ${config.train.steps} (train.steps was ${resume.config.train.steps}); the learning-rate schedule is recomputed for ${config.train.steps} steps` });
    }
    MetricsLog.truncateAfter(run.metrics, opened.step);
    writeRunConfig(run, config);
    updateRun(run, { status: 'running', backend, device: activeBackend()?.device, error: undefined, steps: config.train.steps });
  } else {
    opened = openModel({ kind: 'scratch', loaded, rng });
    optimizer = adamWFor(opened.model, config.train.weightDecay);
    run = createRun(loaded.file, config, backend, activeBackend()?.device);
  }
  const { model, dataset } = opened;
  const startStep = opened.step;
  const meta = (step: number): CheckpointMeta => ({ config, vocab: [...dataset.tokenizer.vocab], labels: dataset.labels, step });
  const rates = layerDropRates(config.layerdrop, config.model.layers);
  const learned =
    config.layerdrop.schedule === 'learned' ? new LearnedDropRates(config.model.layers, config.model.dModel, config.layerdrop.rate, learnedState ?? new Rng(config.train.seed + SCORER_SEED)) : undefined;
  const { steps, batchSize, clipNorm, evalEvery, checkpointEvery } = config.train;
  const validBatches = validationBatches(opened);
  const allLayers = evaluationLayers(config.model.layers);
  const metrics = new MetricsLog(run.metrics);
  const emit: EventSink = (event) => onEvent?.(event);
  const threads = resolveThreads(config.train);
  const slower = config.train.threads === 'auto' ? threadsMeasuredSlower() : undefined;
  if (slower) emit({ type: 'notice', text: `threads auto: one thread, because npm run bench measured two training ${slower.training.toFixed(2)}× as fast as one on this machine's ${activeBackend()?.backend} backend (${slower.measuredAt.slice(0, 10)}, ${calibrationFile()})` });
  emit({
    type: 'run-start',
    runId: run.id,
    runDir: run.dir,
    backend,
    startStep,
    steps,
    dataset: dataset.description,
    threads,
    autoThreads: config.train.threads === 'auto',
    parameters: [...model.params.values()].reduce((sum, v) => sum + v.size, 0),
  });

  let step = startStep;
  let savedStep = startStep;
  const checkpoint = () => {
    const files = writeCheckpoint(run, step, ({ model: modelFile, optimizer: optimizerFile }) => {
      saveOptimizerState(optimizerFile, optimizer, { step, rngState: rng.getState(), counters, learned: learned?.snapshot() });
      saveModelCheckpoint(modelFile, model, meta(step));
    });
    writeStatistics(run, { layers: dropStatistics(counters, rates, learned && learnedRatesOn(learned, model, validBatches)) });
    savedStep = step;
    updateRun(run, { step });
    emit({ type: 'checkpoint', step, file: files.model });
  };
  let status: RunStatus = 'completed';
  let parallel: DataParallel | undefined;
  try {
    if (threads > 1) parallel = await DataParallel.start(model, optimizer, config.train.weightDecay, backend, threads);
    while (step < steps) {
      if (signal?.aborted) {
        status = 'cancelled';
        break;
      }
      const current = step + 1;
      const lr = learningRateAt(current, config.train);
      const active = sampleActiveLayers(learned?.rates() ?? rates, rng);
      const batch = dataset.trainBatch(rng, batchSize);
      const started = performance.now();
      const exits = earlyExitWeights(config.train.earlyExit, active, config.model.layers, current, steps);
      const { loss, norms } = parallel
        ? await parallel.step(model, optimizer, batch, active, rng, config.train.seed * 100003 + current, { lr, clipNorm, exitWeights: exits })
        : trainingStep(model, optimizer, batch, active, lr, clipNorm, rng, exits);
      step = current;
      recordStep(counters, active, (layer) => norms.perLayer[storageLayer(layer, config.model.shareLayersEvery)]);
      const dropped = allLayers.filter((layer) => !active.includes(layer));
      learned?.update(allLayers.map((layer) => dropped.includes(layer)), loss);
      if (learned && step % LEARNED_REFRESH_EVERY === 0) learned.observe(pooledLayerInputs(model, batch));
      const tokensPerSecond = (batch.size * batch.length * 1000) / (performance.now() - started);
      const entry = { type: 'step' as const, step, steps, loss, lr, dropped, tokensPerSecond };
      metrics.append(entry);
      emit(entry);
      if (!Number.isFinite(loss)) throw new UserError(`training diverged at step ${step} (loss ${loss}); lower train.lr (now ${config.train.lr})`);
      if ((evalEvery > 0 && step % evalEvery === 0) || step === steps) {
        const { loss: validLoss, perplexity, accuracy } = evaluate(model, validBatches, allLayers);
        const valid = { type: 'valid' as const, step, loss: validLoss, perplexity, accuracy };
        metrics.append(valid);
        emit(valid);
      }
      if ((checkpointEvery > 0 && step % checkpointEvery === 0) || step === steps) checkpoint();
      // Let signals and IPC messages in between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (savedStep !== step) checkpoint();
  } catch (error) {
    status = 'failed';
    updateRun(run, { status, error: (error as Error).message });
    metrics.close();
    optimizer.dispose();
    model.dispose();
    throw error;
  } finally {
    await parallel?.dispose();
  }
  metrics.close();
  optimizer.dispose();
  updateRun(run, { status, step });
  emit({ type: 'run-end', status, step });
  return { run, status, step, opened: { ...opened, step }, record: { counters, learned: learned?.snapshot() } };
}
