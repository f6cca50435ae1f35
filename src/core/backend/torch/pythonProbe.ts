import { spawnSync } from 'node:child_process';
import { builtFile } from '../../files/builtFile';

/** The oldest transformers DepthLab's torch engine runs on (depthlab_torch.py checks it too). */
export const MIN_TRANSFORMERS = '4.56';

/** What `depthlab_torch.py probe` says of a Python: its versions and the GPUs torch sees. */
export interface PythonProbe {
  python: string;
  pythonVersion: string;
  torch: string | null;
  transformers: string | null;
  accelerate: string | null;
  devices?: Array<{ name: string; kind: 'cuda' | 'rocm' | 'mps'; description: string; memoryBytes: number | null }>;
  devicesError?: string;
}

/** The Python when nothing chooses one: python3 on PATH (python on Windows). */
export const DEFAULT_PYTHON = process.platform === 'win32' ? 'python' : 'python3';

/** The engine's script: dist/torch/ beside the bundle, or the repository's dist/ when running from source. */
export const engineScript = () => builtFile('torch/depthlab_torch.py');

const probes = new Map<string, PythonProbe>();

/** Probe `python` once per process; a Python that cannot run at all is an Error saying which and how to choose another. */
export function probePython(python: string): PythonProbe {
  const known = probes.get(python);
  if (known) return known;
  const run = spawnSync(python, [engineScript(), 'probe'], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  if (run.error || run.status !== 0) {
    const why = (run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' ? 'not found' : (run.error?.message ?? run.stderr.trim().split('\n').at(-1) ?? `exit ${run.status}`);
    throw new Error(`no Python at ${python} (${why}); choose one with --python, the depthlab.python setting or the Python extension's interpreter`);
  }
  const probe = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as PythonProbe;
  probes.set(python, probe);
  return probe;
}

const older = (version: string, than: string) => {
  const [a, b] = [version, than].map((v) => v.split('.').slice(0, 2).map(Number));
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
};

/** Why this Python cannot run the torch engine, with the pip install that fixes it; undefined when it can. */
export function whatIsMissing(probe: PythonProbe): string | undefined {
  const at = `${probe.python} (Python ${probe.pythonVersion})`;
  if (!probe.torch) return `${at} has no torch: pip install torch 'transformers>=${MIN_TRANSFORMERS}' (DepthLab installs nothing into your environment)`;
  if (!probe.transformers) return `${at} has torch ${probe.torch} but no transformers: pip install 'transformers>=${MIN_TRANSFORMERS}'`;
  if (older(probe.transformers, MIN_TRANSFORMERS)) return `${at} has transformers ${probe.transformers}; DepthLab needs ${MIN_TRANSFORMERS} or newer: pip install -U 'transformers>=${MIN_TRANSFORMERS}'`;
  return undefined;
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

/** "Python 3.11.7 at /usr/bin/python3, torch 2.13.0, transformers 5.18.0: cuda:0 NVIDIA H100 80GB HBM3 (85.0 GB)", or "…: CPU (no GPU)". */
export function probeText(probe: PythonProbe): string {
  const devices = probe.devices?.length ? probe.devices.map((d) => `${d.name} ${d.description}${d.memoryBytes ? ` (${gb(d.memoryBytes)})` : ''}`).join(', ') : 'CPU (no GPU)';
  return `Python ${probe.pythonVersion} at ${probe.python}, torch ${probe.torch}, transformers ${probe.transformers}${probe.accelerate ? `, accelerate ${probe.accelerate}` : ''}: ${devices}`;
}
