/**
 * The job worker: a Node process the extension host forks for each job. It runs the engine (and so
 * TensorFlow.js) away from the editor, streams engine events to the host, and exits when the job ends.
 */
import { selectBackend } from '../core/backend/selectBackend';
import { loadConfig, type LoadedConfig } from '../core/config/loadConfig';
import { UserError } from '../core/errors';
import { evaluate } from '../core/evaluate/evaluate';
import type { EngineEvent } from '../core/events';
import { exportRun } from '../core/export/exportRun';
import { validateKeep } from '../core/export/prunedCheckpoint';
import { analyze } from '../core/pipeline/analyze';
import { openRun, type OpenedRun } from '../core/pipeline/openRun';
import { chooseLayers } from '../core/prune/chooseLayers';
import { train } from '../core/train/trainer';
import { parseHostToWorker, type JobRequest, type JobResult, type WorkerToHost } from '../protocol/messages';

const send = (message: WorkerToHost) => process.send?.(message);
const onEvent = (event: EngineEvent) => send({ type: 'event', event });
const cancel = new AbortController();

async function run(request: JobRequest): Promise<JobResult> {
  const loaded = loadConfig(request.configFile);
  const backend = await selectBackend(loaded.config.train.backend);
  send({ type: 'log', message: `backend: ${backend}` });
  switch (request.job) {
    case 'train': {
      const outcome = await train({ loaded, backend, signal: cancel.signal, onEvent });
      try {
        if (outcome.status !== 'completed') return { job: 'train', runId: outcome.run.id, status: outcome.status, step: outcome.step };
        const analysis = analyze(outcome.model, outcome.dataset, outcome.meta.config, outcome.counters, outcome.run, { onEvent });
        return { job: 'train', runId: outcome.run.id, status: outcome.status, step: outcome.step, keep: analysis.keep };
      } finally {
        outcome.model.dispose();
      }
    }
    case 'analyze':
      return withRun(loaded, request.runId, (opened) => {
        const analysis = analyze(opened.model, opened.dataset, opened.meta.config, opened.counters, opened.run, { onEvent });
        return { job: 'analyze', runId: opened.run.id, keep: analysis.keep, target: analysis.target };
      });
    case 'prune':
      return withRun(loaded, request.runId, (opened) => {
        const keep = chooseLayers(opened, request);
        const { full, selected } = compare(opened, keep);
        return { job: 'prune', runId: opened.run.id, keep, full, pruned: selected };
      });
    case 'evaluate-selection':
      return withRun(loaded, request.runId, (opened) => {
        const keep = [...request.layers].sort((a, b) => a - b);
        validateKeep(keep, opened.model.layers);
        return { job: 'evaluate-selection', runId: opened.run.id, ...compare(opened, keep) };
      });
    case 'export':
      return withRun(loaded, request.runId, (opened) => {
        const keep = request.layers ?? loaded.config.layersToKeep?.slice().sort((a, b) => a - b) ?? chooseLayers(opened, {});
        const result = exportRun(opened.run, keep, loaded.dir);
        return { job: 'export', runId: opened.run.id, keep, dir: result.dir, checkpoint: result.checkpoint };
      });
  }
}

function withRun(loaded: LoadedConfig, runId: string | undefined, use: (opened: OpenedRun) => JobResult): JobResult {
  const opened = openRun(loaded, runId);
  try {
    return use(opened);
  } finally {
    opened.model.dispose();
  }
}

/** The full model and a sub-network on the same validation batches. */
function compare({ model, dataset, meta }: OpenedRun, keep: number[]) {
  const batches = dataset.validBatches(meta.config.train.batchSize, meta.config.train.evalBatches);
  return { full: evaluate(model, batches, Array.from({ length: model.layers }, (_, l) => l)), selected: evaluate(model, batches, keep) };
}

function fail(error: unknown): void {
  const user = error instanceof UserError;
  // The wasm runtime appends its whole minified source to some errors: keep the first lines.
  const message = (error instanceof Error ? error.message : String(error)).split('\n').slice(0, 5).join('\n').slice(0, 2000);
  const stack = error instanceof Error && !user ? error.stack?.split('\n').slice(0, 20).join('\n').slice(0, 4000) : undefined;
  send({ type: 'failed', message, user, stack });
}

let started = false;
process.on('message', (raw) => {
  const message = parseHostToWorker(raw);
  if (!message) return;
  if (message.type === 'cancel') {
    cancel.abort();
    return;
  }
  if (started) return;
  started = true;
  run(message.request)
    .then((result) => send({ type: 'done', result }))
    .catch(fail)
    .finally(() => process.disconnect?.());
});
process.on('disconnect', () => cancel.abort());
process.on('uncaughtException', (error) => {
  fail(error);
  process.exit(1);
});
