import { chooseBackend } from '../backend/selectBackend';
import type { BackendName } from '../config/choices';
import { loadConfig, type LoadedConfig } from '../config/loadConfig';
import { refusePretrained } from '../config/pretrainedReference';
import type { EventSink } from '../events';

/** What every job gets besides its request: where its events go, when to stop, and a backend that overrides the config's. */
export interface JobContext {
  onEvent?: EventSink;
  signal?: AbortSignal;
  backend?: BackendName;
  /** The Python the torch backend runs in (--python, the depthlab.python setting, the Python extension's interpreter); python3 when absent. */
  python?: string;
}

/** Every job starts from a config file. */
export interface ConfigRequest {
  configFile: string;
}

/** Load the config (one of DepthLab's own models: a pretrained reference is analyzed, not trained) and activate its backend (the context's, when given); the backend is announced as an event. */
export async function startJob(request: ConfigRequest, context: JobContext): Promise<{ loaded: LoadedConfig; backend: string }> {
  const loaded = loadConfig(request.configFile);
  refusePretrained(loaded);
  const { backend, device, why, log } = await chooseBackend(context.backend ?? loaded.config.train.backend);
  context.onEvent?.({ type: 'backend', backend, device, why, ...(log && { log }) });
  return { loaded, backend };
}
