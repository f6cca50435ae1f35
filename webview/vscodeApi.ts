import type { PageCommand, PageRequest, PageRequests, Reply, RequestType } from '../src/protocol/explorer';

/** What the page keeps across hide/show (VS Code drops a hidden webview's DOM). */
export interface PageState {
  runId?: string;
  metric?: string;
  target?: number;
  /** Checked layers per picker target (`file#key#occurrence`), and the list in the file they started from. */
  checked?: Record<string, { base: number[]; layers: number[] }>;
}

interface VsCodeApi {
  postMessage(message: PageCommand | PageRequest): void;
  getState(): PageState | undefined;
  setState(state: PageState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
const pending = new Map<number, (reply: Reply) => void>();
let nextId = 1;

export const post = (message: PageCommand) => api.postMessage(message);
export const loadState = (): PageState => api.getState() ?? {};
export const saveState = (change: Partial<PageState>) => api.setState({ ...loadState(), ...change });

/** Ask the host; the promise settles with the one reply that carries this request's id. */
export function request<K extends RequestType>(type: K, params: PageRequests[K]['params']): Promise<PageRequests[K]['result']> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, (reply) => (reply.ok ? resolve(reply.result as PageRequests[K]['result']) : reject(new Error(reply.error))));
    api.postMessage({ type, id, ...params } as PageRequest);
  });
}

/** Route a reply to its request. */
export function settle(reply: Reply): void {
  pending.get(reply.id)?.(reply);
  pending.delete(reply.id);
}
