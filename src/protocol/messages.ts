/**
 * Every message between the extension host, the job worker and the Depth Explorer webview.
 * All three import this module; the guards check what arrives over a process or webview boundary.
 */
import type { ImportanceMetric, PruneStrategy, Task } from '../core/config/schema';
import type { DepthRow } from '../core/evaluate/depthSweep';
import type { Evaluation } from '../core/evaluate/evaluate';
import type { EngineEvent } from '../core/events';
import type { RunStatus } from '../core/run/runStore';
import type { LayerDropStatistics } from '../core/statistics/dropStatistics';
import type { LayerStatistics } from '../core/statistics/importance';

// ── host → worker ────────────────────────────────────────────────────────────────────────────

export type JobRequest =
  | { job: 'train'; configFile: string }
  | { job: 'analyze'; configFile: string; runId?: string }
  | { job: 'prune'; configFile: string; runId?: string; target: number; strategy?: PruneStrategy; metric?: ImportanceMetric }
  | { job: 'evaluate-selection'; configFile: string; runId?: string; layers: number[] }
  | { job: 'export'; configFile: string; runId?: string; layers?: number[] };

export type JobKind = JobRequest['job'];

export type HostToWorker = { type: 'start'; request: JobRequest } | { type: 'cancel' };

// ── worker → host ────────────────────────────────────────────────────────────────────────────

export type JobResult =
  | { job: 'train'; runId: string; status: RunStatus; step: number; keep?: number[] }
  | { job: 'analyze'; runId: string; keep: number[]; target: number }
  | { job: 'prune'; runId: string; keep: number[]; full: Evaluation; pruned: Evaluation }
  | { job: 'evaluate-selection'; runId: string; full: Evaluation; selected: Evaluation }
  | { job: 'export'; runId: string; keep: number[]; dir: string; checkpoint: string };

export type WorkerToHost =
  | { type: 'event'; event: EngineEvent }
  | { type: 'log'; message: string }
  | { type: 'done'; result: JobResult }
  /** `user`: bad input the user can fix (shown as is); otherwise an internal error with its stack in the log. */
  | { type: 'failed'; message: string; user: boolean; stack?: string };

// ── host → webview ───────────────────────────────────────────────────────────────────────────

export interface RunListEntry {
  id: string;
  configFile: string;
  /** Config file relative to the workspace, for the dropdown. */
  label: string;
  status: RunStatus;
  step: number;
  steps: number;
}

/** Everything the Depth Explorer shows about one run, read from its files. */
export interface RunSnapshot {
  id: string;
  configFile: string;
  task: Task;
  status: RunStatus;
  step: number;
  steps: number;
  backend: string;
  layers: number;
  layerdropRate: number;
  trainLoss: Array<{ step: number; loss: number }>;
  validLoss: Array<{ step: number; loss: number; perplexity?: number; accuracy?: number }>;
  drops: LayerDropStatistics[];
  /** After an analysis: per-layer importance. */
  importance?: { fullLoss: number; layers: LayerStatistics[] };
  /** After an analysis: the strategy's layers and quality at every depth, and its choice at the target. */
  sweep?: { strategy: PruneStrategy; target: number; keep: number[]; rows: DepthRow[] };
}

/** Where "Write to config" writes: the run's own config, or a layer list found in a fairseq or Hugging Face file. */
export interface PickerTarget {
  file: string;
  /** What the list is called there, e.g. `layersToKeep`, `--decoder-layers-to-keep`, `encoder_layers_to_keep`. */
  key: string;
  /** Which of the lists with this key (a script can hold several command lines). */
  occurrence: number;
  layers: number;
  kept: number[];
}

export interface ActiveJob {
  job: JobKind;
  label: string;
  configFile: string;
  runId?: string;
}

export type HostToWebview =
  | { type: 'runs'; runs: RunListEntry[]; selected?: string }
  | { type: 'snapshot'; snapshot: RunSnapshot }
  | { type: 'target'; target: PickerTarget | undefined }
  | { type: 'job'; job: ActiveJob | undefined }
  | { type: 'selection-result'; runId: string; full: Evaluation; selected: Evaluation }
  | { type: 'written'; file: string; key: string; layers: number[] }
  | { type: 'error'; message: string };

// ── webview → host ───────────────────────────────────────────────────────────────────────────

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'select-run'; runId: string }
  | { type: 'evaluate-selection'; layers: number[] }
  | { type: 'write'; layers: number[] }
  | { type: 'train' }
  | { type: 'evaluate-all' };

// ── guards ───────────────────────────────────────────────────────────────────────────────────

type Guarded<T extends { type: string }> = { [K in T['type']]: (message: Record<string, unknown>) => boolean };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isLayerList = (value: unknown): value is number[] =>
  Array.isArray(value) && value.length > 0 && value.every((n) => Number.isInteger(n) && n >= 0) && new Set(value).size === value.length;
const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isOptionalString = (value: unknown) => value === undefined || isString(value);

function guard<T extends { type: string }>(checks: Guarded<T>): (value: unknown) => T | undefined {
  return (value) => {
    if (!isRecord(value) || typeof value.type !== 'string' || !Object.hasOwn(checks, value.type)) return undefined;
    return checks[value.type as T['type']](value) ? (value as T) : undefined;
  };
}

const JOB_CHECKS: Record<JobKind, (request: Record<string, unknown>) => boolean> = {
  train: () => true,
  analyze: (r) => isOptionalString(r.runId),
  prune: (r) => isOptionalString(r.runId) && Number.isInteger(r.target) && (r.target as number) >= 1,
  'evaluate-selection': (r) => isOptionalString(r.runId) && isLayerList(r.layers),
  export: (r) => isOptionalString(r.runId) && (r.layers === undefined || isLayerList(r.layers)),
};

export const isJobRequest = (value: unknown): value is JobRequest =>
  isRecord(value) && typeof value.job === 'string' && Object.hasOwn(JOB_CHECKS, value.job) && isString(value.configFile) && JOB_CHECKS[value.job as JobKind](value);

/** A message from the Depth Explorer, or undefined for anything malformed (the webview is untrusted input). */
export const parseWebviewMessage = guard<WebviewToHost>({
  ready: () => true,
  'select-run': (m) => isString(m.runId),
  'evaluate-selection': (m) => isLayerList(m.layers),
  write: (m) => isLayerList(m.layers),
  train: () => true,
  'evaluate-all': () => true,
});

export const parseHostToWorker = guard<HostToWorker>({
  start: (m) => isJobRequest(m.request),
  cancel: () => true,
});

export const parseWorkerMessage = guard<WorkerToHost>({
  event: (m) => isRecord(m.event) && typeof m.event.type === 'string',
  log: (m) => typeof m.message === 'string',
  done: (m) => isRecord(m.result) && typeof m.result.job === 'string',
  failed: (m) => typeof m.message === 'string' && typeof m.user === 'boolean',
});
