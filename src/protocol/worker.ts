/**
 * The host ↔ job worker channel. The host forks a worker per job and sends one `start` with an id;
 * the worker streams `event`s and answers that id exactly once, with `done` or `failed`.
 */
import { BACKENDS, HEAL_PARTS, IMPORTANCE_METRICS, PRUNE_STRATEGIES, type BackendName } from '../core/config/choices';
import type { EngineEvent } from '../core/events';
import type { AnalyzeJobRequest, AnalyzeJobResult } from '../core/jobs/analyzeJob';
import type { AnalyzeModelRequest, AnalyzeModelResult } from '../core/jobs/analyzeModelJob';
import type { CompareJobRequest, CompareJobResult } from '../core/jobs/compareJob';
import type { EvaluateModelRequest, EvaluateModelResult } from '../core/jobs/evaluateModelJob';
import type { ExportModelRequest, ExportModelResult } from '../core/jobs/exportModelJob';
import type { HealJobRequest, HealJobResult } from '../core/jobs/healJob';
import type { ExportJobRequest, ExportJobResult } from '../core/jobs/exportJob';
import type { PruneJobRequest, PruneJobResult } from '../core/jobs/pruneJob';
import type { TrainJobRequest, TrainJobResult } from '../core/jobs/trainJob';
import { isId, isLayerList, isRecord, isString, messageParser, oneOf, optional, type Check } from './guards';
import { LAYER_PARTS } from '../core/config/choices';

/** Each job's request and result, as core/jobs defines them. */
export interface Jobs {
  train: { request: TrainJobRequest; result: TrainJobResult };
  analyze: { request: AnalyzeJobRequest; result: AnalyzeJobResult };
  prune: { request: PruneJobRequest; result: PruneJobResult };
  export: { request: ExportJobRequest; result: ExportJobResult };
  compare: { request: CompareJobRequest; result: CompareJobResult };
  heal: { request: HealJobRequest; result: HealJobResult };
  'analyze-model': { request: AnalyzeModelRequest; result: AnalyzeModelResult };
  'evaluate-model': { request: EvaluateModelRequest; result: EvaluateModelResult };
  'export-model': { request: ExportModelRequest; result: ExportModelResult };
}
export type JobKind = keyof Jobs;
export type JobRequest<K extends JobKind = JobKind> = { [P in K]: { job: P } & Jobs[P]['request'] }[K];
export type JobResult<K extends JobKind = JobKind> = Jobs[K]['result'];

// host → worker
/** `backend`: the editor's `depthlab.backend` setting, when it overrides the config's; `python`: the interpreter the torch backend runs in. */
export type HostToWorker = { type: 'start'; id: number; request: JobRequest; backend?: BackendName; python?: string } | { type: 'cancel'; id: number };

// worker → host
export type WorkerToHost =
  | { type: 'event'; id: number; event: EngineEvent }
  | { type: 'done'; id: number; result: JobResult }
  /** `user`: bad input the user can fix (shown as is); otherwise an internal error with its stack in the log. */
  | { type: 'failed'; id: number; message: string; user: boolean; stack?: string };

const isPositiveInt = (value: unknown) => Number.isInteger(value) && (value as number) >= 1;
const isPositiveNumber = (value: unknown) => typeof value === 'number' && value > 0 && Number.isFinite(value);
const choice: Check = (r) =>
  optional(isString)(r.runId) &&
  optional(isLayerList)(r.layers) &&
  optional(isPositiveInt)(r.target) &&
  optional(oneOf(PRUNE_STRATEGIES))(r.strategy) &&
  optional(oneOf(IMPORTANCE_METRICS))(r.metric);
const isFlag = optional((value) => typeof value === 'boolean');
const isBlockList = (value: unknown) => Array.isArray(value) && value.every((b) => isRecord(b) && Number.isInteger(b.layer) && (b.layer as number) >= 0 && oneOf(LAYER_PARTS)(b.part));
const tasks: Check = (r) => optional((value) => Array.isArray(value) && value.every(isString))(r.tasks);
/** Jobs on a DepthLab config name it; jobs on a Hugging Face model name its folder and the text to measure on. */
const onConfig: Check = (r) => isString(r.configFile);
const onModel: Check = (r) =>
  isString(r.folder) && optional(isString)(r.dataFile) && optional(isPositiveInt)(r.tokens) && optional(isPositiveInt)(r.window) && optional(isPositiveInt)(r.threads);

const JOB_CHECKS: { [K in JobKind]: Check } = {
  train: (r) => onConfig(r) && optional((v) => v === true || isString(v))(r.resume) && isFlag(r.analyze),
  analyze: (r) => onConfig(r) && choice(r) && r.layers === undefined && tasks(r) && isFlag(r.sublayers),
  prune: (r) => onConfig(r) && choice(r) && isFlag(r.write),
  export: (r) => onConfig(r) && choice(r) && optional(isString)(r.out) && optional(isBlockList)(r.skipBlocks),
  compare: (r) => onConfig(r) && optional(isPositiveInt)(r.target),
  heal: (r) => onConfig(r) && choice(r) && optional(isPositiveInt)(r.steps) && optional(oneOf(HEAL_PARTS))(r.part),
  'analyze-model': (r) => onModel(r) && choice(r) && r.layers === undefined && optional(isPositiveNumber)(r.budgetSeconds) && tasks(r) && isFlag(r.sublayers),
  'evaluate-model': (r) => onModel(r) && isLayerList(r.layers),
  'export-model': (r) => onModel(r) && choice(r) && optional(isString)(r.out),
};

export const isJobRequest = (value: unknown): value is JobRequest =>
  isRecord(value) && typeof value.job === 'string' && Object.hasOwn(JOB_CHECKS, value.job) && JOB_CHECKS[value.job as JobKind](value);

/** The file a job is about: its config, or the model folder's config.json. */
export const jobFile = (request: JobRequest): string => ('configFile' in request ? request.configFile : `${request.folder}/config.json`);

export const parseHostToWorker = messageParser<HostToWorker>({
  start: (m) => isId(m.id) && isJobRequest(m.request) && optional(oneOf(BACKENDS))(m.backend) && optional(isString)(m.python),
  cancel: (m) => isId(m.id),
});

export const parseWorkerMessage = messageParser<WorkerToHost>({
  event: (m) => isId(m.id) && isRecord(m.event) && typeof m.event.type === 'string',
  done: (m) => isId(m.id) && isRecord(m.result),
  failed: (m) => isId(m.id) && typeof m.message === 'string' && typeof m.user === 'boolean',
});
