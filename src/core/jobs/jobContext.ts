import { chooseBackend, idleBackend } from '../backend/selectBackend';
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

/**
 * Load the config (one of DepthLab's own models: a pretrained reference is analyzed, not trained)
 * and activate its backend (the context's, when given); the backend is announced as an event.
 * `nothingToCompute` (an export of a cut already chosen): TF.js's plain backend reads and writes the
 * tensors, and no GPU is probed.
 */
export async function startJob(request: ConfigRequest, context: JobContext, nothingToCompute?: (loaded: LoadedConfig) => string | undefined): Promise<{ loaded: LoadedConfig; backend: string }> {
  const loaded = loadConfig(request.configFile);
  refusePretrained(loaded);
  // A backend the user named is theirs to have probed; auto (or the config's) is not probed for nothing.
  const idle = context.backend ? undefined : nothingToCompute?.(loaded);
  const choice = idle ? await idleBackend() : await chooseBackend(context.backend ?? loaded.config.train.backend);
  const { backend, device, log } = choice;
  const why = idle ? `nothing to compute: ${idle}` : choice.why;
  context.onEvent?.({ type: 'backend', backend, device, why, ...(log && { log }) });
  return { loaded, backend };
}
