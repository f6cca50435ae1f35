/**
 * The job worker: a Node process the extension host forks for each job. It runs the engine (and so
 * TensorFlow.js) away from the editor, streams engine events to the host, and exits when the job ends.
 */
import { UserError } from '../core/errors';
import { analyzeJob } from '../core/jobs/analyzeJob';
import { analyzeModelJob } from '../core/jobs/analyzeModelJob';
import { compareJob } from '../core/jobs/compareJob';
import { healJob } from '../core/jobs/healJob';
import { evaluateModelJob } from '../core/jobs/evaluateModelJob';
import { exportModelJob } from '../core/jobs/exportModelJob';
import { exportJob } from '../core/jobs/exportJob';
import type { JobContext } from '../core/jobs/jobContext';
import { pruneJob } from '../core/jobs/pruneJob';
import { trainJob } from '../core/jobs/trainJob';
import { parseHostToWorker, type JobRequest, type JobResult, type WorkerToHost } from '../protocol/worker';

const send = (message: WorkerToHost) => process.send?.(message);
const cancel = new AbortController();

function run(request: JobRequest, context: JobContext): Promise<JobResult> {
  switch (request.job) {
    case 'train':
      return trainJob(request, context);
    case 'analyze':
      return analyzeJob(request, context);
    case 'prune':
      return pruneJob(request, context);
    case 'export':
      return exportJob(request, context);
    case 'compare':
      return compareJob(request, context);
    case 'heal':
      return healJob(request, context);
    case 'analyze-model':
      return analyzeModelJob(request, context);
    case 'evaluate-model':
      return evaluateModelJob(request, context);
    case 'export-model':
      return exportModelJob(request, context);
  }
}

function failure(id: number, error: unknown): WorkerToHost {
  const user = error instanceof UserError;
  // The wasm runtime appends its whole minified source to some errors: keep the first lines.
  const message = (error instanceof Error ? error.message : String(error)).split('\n').slice(0, 5).join('\n').slice(0, 2000);
  const stack = error instanceof Error && !user ? error.stack?.split('\n').slice(0, 20).join('\n').slice(0, 4000) : undefined;
  return { type: 'failed', id, message, user, stack };
}

let job: number | undefined;
process.on('message', (raw) => {
  const message = parseHostToWorker(raw);
  if (!message) return;
  if (message.type === 'cancel') {
    if (message.id === job) cancel.abort();
    return;
  }
  if (job !== undefined) {
    send(failure(message.id, new Error(`this worker is already running job ${job}`)));
    return;
  }
  const id = (job = message.id);
  run(message.request, { signal: cancel.signal, backend: message.backend, python: message.python, onEvent: (event) => send({ type: 'event', id, event }) })
    .then((result) => send({ type: 'done', id, result }))
    .catch((error) => send(failure(id, error)))
    .finally(() => process.disconnect?.());
});
process.on('disconnect', () => cancel.abort());
process.on('uncaughtException', (error) => {
  if (job !== undefined) send(failure(job, error));
  process.exit(1);
});
