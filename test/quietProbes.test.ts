import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { vulkanDrivers } from '../src/core/backend/webgpu/vulkanDrivers';
import { tinyLanguageModel, TINY_TRAIN, workspace } from './helpers';

const CLI = path.join(__dirname, '../dist/cli.js');
const GPT2 = path.join(__dirname, 'fixtures', 'huggingface', 'gpt2');
/** What Dawn and the Vulkan loader print of their own: warnings, the adapter they skip, their source lines, a missing runtime folder. */
const NATIVE = /Warning:|While initializing adapter|BackendType::|InitializeImpl|\.cpp:\d+|XDG_RUNTIME_DIR|vkCreateInstance|ICD/;

/** The CLI as a user runs it on this machine, XDG_RUNTIME_DIR unset as under sudo or a service. */
function depthlab(cwd: string, ...args: string[]) {
  const env = { ...process.env };
  delete env.XDG_RUNTIME_DIR;
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env, timeout: 180_000 });
}

const drivers = vulkanDrivers().map((file) => path.basename(file));

test(`no line of stderr comes from Dawn or the Vulkan loader, on a machine with ${drivers.join(', ') || 'no Vulkan drivers'}: bad input is one line and probes no GPU; a job's probe is kept for its log`, () => {
  const dir = workspace();
  fs.cpSync(GPT2, path.join(dir, 'gpt2'), { recursive: true });
  const quiet = (run: ReturnType<typeof depthlab>, lines?: number) => {
    const native = run.stderr.split('\n').filter((line) => NATIVE.test(line));
    assert.deepEqual(native, [], `stderr: ${run.stderr}`);
    if (lines !== undefined) assert.equal(run.stderr.split('\n').filter(Boolean).length, lines, run.stderr);
  };
  const badLayers = depthlab(dir, 'export', 'gpt2', '--layers', '0,9', '--out', 'x');
  assert.equal(badLayers.status, 2);
  quiet(badLayers, 1);
  assert.match(badLayers.stderr, /^depthlab: error: layer 9 does not exist; allowed: 0\.\.3\n$/);
  for (const args of [['analyze', 'no-such-folder'], ['analyze', 'gpt2', '--data', 'missing.txt'], ['--help']]) quiet(depthlab(dir, ...args), args[0] === '--help' ? 0 : 1);
  const asked = depthlab(dir, '--backend', 'tensorflow', 'analyze', 'gpt2', '--tokens', '64');
  quiet(asked, 1);
  assert.match(asked.stderr, /@tensorflow\/tfjs-node is not installed: npm install @tensorflow\/tfjs-node in the workspace .*; its install downloads libtensorflow from Google's servers/);
  // A job on auto probes the GPU in a process of its own: the first line says why webgpu was passed over.
  const analyzed = depthlab(dir, '--json', 'analyze', 'gpt2', '--tokens', '64', '--window', '16', '--strategies', 'every-other');
  assert.equal(analyzed.status, 0, analyzed.stderr);
  quiet(analyzed);
  const backend = JSON.parse(analyzed.stdout.split('\n')[0]);
  assert.match(backend.why, /webgpu: /);
});

test('an export of a cut already chosen computes nothing and probes no GPU: the first line says so', () => {
  const loaded = tinyLanguageModel({ train: { ...TINY_TRAIN, backend: 'auto' } });
  assert.equal(depthlab(loaded.dir, 'train', loaded.file).status, 0);
  const exported = depthlab(loaded.dir, '--json', 'export', loaded.file, '--layers', '0,2');
  assert.equal(exported.status, 0, exported.stderr);
  const backend = JSON.parse(exported.stdout.split('\n')[0]);
  assert.deepEqual([backend.backend, backend.why, backend.log], ['cpu', 'nothing to compute: the layers are given (--layers)', undefined]);
});
