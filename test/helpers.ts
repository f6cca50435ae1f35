import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend } from '../src/core/backend/selectBackend';
import { parseConfig, type LoadedConfig } from '../src/core/config/loadConfig';

/** A small real corpus: the first chapters of the bundled Moby Dick text would need a build, so use our own. */
export const TEXT = Array.from(
  { length: 400 },
  (_, i) => `Call me Ishmael, line ${i}. Some years ago, never mind how long precisely, I thought I would sail about.\n`,
).join('');

export const TINY_MODEL = { layers: 4, dModel: 16, heads: 2, ffn: 32, seqLen: 16, dropout: 0.1 };
// One thread: the tests that train are about other things; threads have tests of their own.
export const TINY_TRAIN = { steps: 8, batchSize: 4, lr: 0.01, warmup: 2, evalEvery: 4, evalBatches: 2, checkpointEvery: 4, backend: 'wasm', threads: 1 };

export function workspace(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-test-'));
}

/** Write `text.txt` and a config in a fresh folder; returns the loaded config. */
export function tinyLanguageModel(overrides: Record<string, unknown> = {}, dir = workspace()): LoadedConfig {
  fs.writeFileSync(path.join(dir, 'text.txt'), TEXT);
  const config = {
    task: 'language-model',
    data: { train: 'text.txt' },
    model: TINY_MODEL,
    layerdrop: { rate: 0.5 },
    train: TINY_TRAIN,
    ...overrides,
  };
  const file = path.join(dir, 'tiny.depthlab.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return parseConfig(fs.readFileSync(file, 'utf8'), file);
}

export async function useWasm(): Promise<void> {
  await selectBackend('wasm');
}

/** A tiny config the CLI `cli` trains for one step on `backend` (the config's auto by default); returns its exit status, stderr and first event (the backend line). */
export function cliBackendEvent(cli: string, env: NodeJS.ProcessEnv, backend?: string): { status: number | null; stderr: string; event?: { backend: string; device: string; why: string } } {
  const loaded = tinyLanguageModel({ train: { steps: 1, batchSize: 4, evalEvery: 1, evalBatches: 1, checkpointEvery: 1, threads: 1 } });
  const result = spawnSync(process.execPath, [cli, ...(backend ? ['--backend', backend] : []), '--json', 'train', loaded.file], { encoding: 'utf8', env, timeout: 120_000 });
  return { status: result.status, stderr: result.stderr, event: result.status === 0 ? JSON.parse(result.stdout.split('\n')[0]) : undefined };
}

/**
 * A copy of the CLI's dist folder whose native addon `addon` (e.g. `dawn/dawn.node`, as a platform
 * vsix carries it beside the bundle) is a file that is not a shared library; returns its cli.js.
 */
export function distWithBrokenAddon(cli: string, addon: string): string {
  const dist = path.dirname(cli);
  const [folder] = addon.split('/');
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-dist-'));
  // The scripts that load addons are copied, not linked: Node runs a linked script from where the link points.
  const scripts = ['cli.js', 'gpuProbe.js'];
  for (const entry of fs.readdirSync(dist)) if (!scripts.includes(entry) && entry !== folder) fs.symlinkSync(path.join(dist, entry), path.join(copy, entry));
  for (const script of scripts) fs.copyFileSync(path.join(dist, script), path.join(copy, script));
  fs.mkdirSync(path.join(copy, folder));
  fs.writeFileSync(path.join(copy, addon), 'not a shared library');
  // The other addons resolve from the project's node_modules, as from dist/.
  fs.symlinkSync(path.resolve(dist, '..', 'node_modules'), path.join(copy, 'node_modules'));
  return path.join(copy, 'cli.js');
}

/** Every tiny Hugging Face fixture (test/fixtures/huggingface/<name>, made by scripts/fixtures/huggingface.py), decoders first as transformers' families are listed there. */
export const FIXTURE_FAMILIES = ['gpt2', 'llama', 'mistral', 'mistral_sliding', 'qwen2', 'qwen3', 'olmo2', 'phi3', 'phi3_longrope', 'gemma2', 'gemma3_text', 'gpt_neox', 'opt', 'bert', 'roberta', 'distilbert'];

/** The Python the Python-side tests run: DEPTHLAB_TEST_PYTHON, else python3 on PATH. */
export const PYTHON = process.env.DEPTHLAB_TEST_PYTHON ?? 'python3';

/**
 * Why a test that needs Python with `modules` cannot run here, or undefined when it can. CI
 * installs them (.ci/run, test/requirements.txt) and sets DEPTHLAB_REQUIRE_PYTHON, so there a
 * missing module fails the test instead of skipping it.
 */
export function pythonMissing(modules: readonly string[]): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  const why = `needs ${PYTHON} with ${modules.join(', ')} (pip install -r test/requirements.txt): ${(probe.error?.message ?? probe.stderr.trim().split('\n').at(-1)) || 'failed'}`;
  if (process.env.DEPTHLAB_REQUIRE_PYTHON) throw new Error(why);
  return why;
}

/**
 * A Hugging Face cache as huggingface_hub lays it out, holding `id` (org/name) made from a model
 * folder: content-addressed blobs, one snapshot of symlinks to them per commit, `refs` naming each
 * commit (`main` the first, then `v2`, …). Returns the cache folder.
 */
export function writeHubCache(cache: string, id: string, source: string, commits: readonly string[]): string {
  const repo = path.join(cache, `models--${id.replace('/', '--')}`);
  fs.mkdirSync(path.join(repo, 'blobs'), { recursive: true });
  fs.mkdirSync(path.join(repo, 'refs'), { recursive: true });
  for (const [i, commit] of commits.entries()) {
    const snapshot = path.join(repo, 'snapshots', commit);
    fs.mkdirSync(snapshot, { recursive: true });
    for (const name of fs.readdirSync(source).filter((file) => !file.startsWith('reference') && !file.startsWith('.'))) {
      const bytes = fs.readFileSync(path.join(source, name));
      const blob = createHash('sha256').update(bytes).digest('hex');
      fs.writeFileSync(path.join(repo, 'blobs', blob), bytes);
      fs.symlinkSync(path.join('..', '..', 'blobs', blob), path.join(snapshot, name));
    }
    fs.writeFileSync(path.join(repo, 'refs', i === 0 ? 'main' : `v${i + 1}`), commit);
  }
  return cache;
}
