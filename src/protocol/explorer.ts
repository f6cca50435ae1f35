/**
 * The host ↔ Depth Explorer page channel. The host sends notifications (state to render); the page
 * sends commands (fire and forget) and requests, each with an id that gets exactly one `reply`.
 * The page is untrusted input: the host parses what it sends.
 */
import type { Comparison } from '../core/compare/compareSummary';
import type { Evaluation } from '../core/evaluate/evaluate';
import type { PickerTarget } from '../core/layerLists/pickerTarget';
import type { RunListEntry, RunSnapshot } from '../core/run/runSnapshot';
import { isId, isLayerList, isString, messageParser } from './guards';

/** The job the host is running, as the page shows it. */
export interface ActiveJob {
  job: string;
  label: string;
  configFile: string;
  runId?: string;
  /** The backend and device the job's worker chose, once it has. */
  backend?: string;
  device?: string;
  /** How far it is and the time left ("40% · about 2 min left"), once it says. */
  progress?: string;
  /** What a time budget allows ("budget 5 min: 8,192 of 16,384 tokens fit …"). */
  budget?: string;
}

// host → page
export type HostNotification =
  | { type: 'runs'; runs: RunListEntry[]; selected?: string }
  | { type: 'snapshot'; snapshot: RunSnapshot }
  | { type: 'target'; target: PickerTarget | undefined }
  | { type: 'job'; job: ActiveJob | undefined }
  /** The newest `depthlab compare` of the config in focus, and its file. */
  | { type: 'comparison'; comparison: (Comparison & { file: string }) | undefined }
  /** A command failed. */
  | { type: 'error'; message: string }
  /** Scroll to this chart (the editor-tab explorer, opened to show it large). */
  | { type: 'focus'; chart: string };

/** Each request and what its reply carries. */
export interface PageRequests {
  /** Exactly these layers against the full model, on the same validation batches. */
  'evaluate-selection': { params: { layers: number[] }; result: { runId: string; full: Evaluation; selected: Evaluation } };
  /** A trained run shown: finetune exactly these layers (depthlab heal, its default steps) and report the loss before and after. */
  'heal-selection': { params: { layers: number[] }; result: { runId: string; keep: number[]; steps: number; before: Evaluation; after: Evaluation } };
  /** Set the picked list in its file. */
  write: { params: { layers: number[] }; result: { file: string; key: string; layers: number[] } };
  /** A Hugging Face model shown: write a pruned copy of it with exactly these layers. */
  'export-model': { params: { layers: number[] }; result: { out: string } };
  /** Save a chart's PNG (a data URL) where the user picks in the save dialog; no file when they cancel. */
  'save-chart': { params: { name: string; png: string }; result: { file?: string } };
}
export type RequestType = keyof PageRequests;
export type PageRequest<K extends RequestType = RequestType> = { [P in K]: { type: P; id: number } & PageRequests[P]['params'] }[K];
export type Reply<K extends RequestType = RequestType> = { type: 'reply'; id: number } & ({ ok: true; result: PageRequests[K]['result'] } | { ok: false; error: string });

export type HostToPage = HostNotification | Reply;

// page → host
export type PageCommand = { type: 'ready' } | { type: 'select-run'; runId: string } | { type: 'train' } | { type: 'evaluate-all' } | { type: 'open-large'; chart: string } | { type: 'open-report'; of: 'run' | 'comparison' };
export type PageToHost = PageCommand | PageRequest;

/** A message from the page, or undefined for anything malformed. */
export const parsePageMessage = messageParser<PageToHost>({
  ready: () => true,
  'select-run': (m) => isString(m.runId),
  train: () => true,
  'evaluate-all': () => true,
  'open-large': (m) => isString(m.chart),
  'open-report': (m) => m.of === 'run' || m.of === 'comparison',
  'evaluate-selection': (m) => isId(m.id) && isLayerList(m.layers),
  'heal-selection': (m) => isId(m.id) && isLayerList(m.layers),
  write: (m) => isId(m.id) && isLayerList(m.layers),
  'export-model': (m) => isId(m.id) && isLayerList(m.layers),
  'save-chart': (m) => isId(m.id) && isString(m.name) && /^[a-z-]+$/.test(m.name) && isString(m.png) && m.png.startsWith('data:image/png;base64,'),
});

export const isRequest = (message: PageToHost): message is PageRequest => 'id' in message;
