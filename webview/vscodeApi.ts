import type { WebviewToHost } from '../src/protocol/messages';

/** What the page keeps across hide/show (VS Code drops a hidden webview's DOM). */
export interface PageState {
  runId?: string;
  metric?: string;
  target?: number;
  /** Checked layers per picker target (`file#key#occurrence`), and the list in the file they started from. */
  checked?: Record<string, { base: number[]; layers: number[] }>;
}

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): PageState | undefined;
  setState(state: PageState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export const post = (message: WebviewToHost) => api.postMessage(message);
export const loadState = (): PageState => api.getState() ?? {};
export const saveState = (change: Partial<PageState>) => api.setState({ ...loadState(), ...change });
