import type { DepthRow } from './evaluate/depthSweep';
import type { RunStatus } from './run/runFiles';

/** Everything the engine reports while it works; the CLI prints these and the worker forwards them. */
export type EngineEvent =
  /** The backend a job runs on, its device in words ("CPU", an adapter's name) and why it was chosen; `log`: what probing the GPU printed, for the job's log only. */
  | { type: 'backend'; backend: string; device: string; why: string; log?: string }
  /** Something the user should know about how the job runs (a resumed run extended, say). */
  | { type: 'notice'; text: string }
  | { type: 'run-start'; runId: string; runDir: string; backend: string; startStep: number; steps: number; dataset: string; parameters: number; threads: number; autoThreads: boolean }
  | { type: 'step'; step: number; steps: number; loss: number; lr: number; dropped: number[]; tokensPerSecond: number }
  | { type: 'valid'; step: number; loss: number; perplexity?: number; accuracy?: number }
  | { type: 'checkpoint'; step: number; file: string }
  | { type: 'run-end'; status: RunStatus; step: number }
  /** What a job does next; a sweep says which of the job's sweeps it is (the third of five: part 3, of 5). */
  | { type: 'phase'; phase: 'load' | 'importance' | 'angular' | 'sweep' | 'sublayers' | 'evaluate'; detail: string; part?: number; of?: number }
  | { type: 'depth'; row: DepthRow }
  /** A long job's progress (analyze: layer evaluations a batch; heal: steps), with the time left. */
  | { type: 'progress'; label: string; done: number; total: number; unit: string; etaSeconds: number };

export type EventSink = (event: EngineEvent) => void;
