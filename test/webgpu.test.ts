/**
 * The webgpu backend on a real WebGPU implementation with no GPU: Dawn (the npm package `webgpu`)
 * over SwiftShader's Vulkan driver, which Debian's chromium package installs (.ci/run installs it,
 * with the Vulkan loader libvulkan1). Correctness only: SwiftShader runs on the CPU.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as tf from '../src/core/backend/tf';
import { chooseBackend } from '../src/core/backend/selectBackend';
import { findAdapter } from '../src/core/backend/webgpu/gpuAdapter';
import { trainJob } from '../src/core/jobs/trainJob';
import { parityTests } from './backendParity';
import { cliBackendEvent, distWithBrokenAddon, TINY_TRAIN, tinyLanguageModel } from './helpers';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const CLI = path.join(__dirname, '../dist/cli.js');

const softwareGpu = { ...process.env, VK_ICD_FILENAMES: SWIFTSHADER, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-xdg-')) };
Object.assign(process.env, softwareGpu);
// Developers without Debian's chromium skip these; CI installs it, so there they run (and fail if it is gone).
const skip = !fs.existsSync(SWIFTSHADER) && !process.env.CI ? `${SWIFTSHADER} is missing (apt-get install chromium libvulkan1)` : false;

test('webgpu, when asked for, runs on the software adapter and names it', { skip }, async () => {
  const choice = await chooseBackend('webgpu');
  assert.equal(choice.backend, 'webgpu');
  assert.match(choice.device, /SwiftShader.*a software adapter/);
  assert.equal(choice.why, 'requested');
  assert.equal(tf.getBackend(), 'webgpu');
});

test('auto never takes the software adapter: the adapter search refuses it, naming it', { skip }, async () => {
  await assert.rejects(findAdapter(true), /only SwiftShader.*a software adapter, which auto never picks/);
  assert.equal((await findAdapter(false)).summary.software, true);
});

/**
 * Gemma's (1 + w) q/k norms make its attention scores large and its softmax sharp. On SwiftShader the
 * projections and norms agree with wasm to 8e-7 but the attention output differs by 3e-4 (measured
 * 2026-12-03, gemma3_text layer 0), and the logits by 7.5e-4 relative; wasm matches transformers to 6e-6.
 */
const SOFTWARE_GPU_TOLERANCE: Record<string, number> = { gemma2: 2e-3, gemma3_text: 2e-3 };

parityTests('webgpu', { skip, logitsTolerance: SOFTWARE_GPU_TOLERANCE });

test('the CLI on auto, with only a software adapter, trains on onnxruntime\'s products and says why', { skip }, () => {
  const { event } = cliBackendEvent(CLI, softwareGpu);
  assert.equal(event?.backend, 'onnxruntime');
  assert.match(event!.why, /^auto; webgpu: only SwiftShader.*which auto never picks; tensorflow-gpu, tensorflow: not installed$/);
});

test('a Dawn build that fails to load: auto falls back to the CPU and gives the loader\'s reason', { skip }, () => {
  const { event } = cliBackendEvent(distWithBrokenAddon(CLI, 'dawn/dawn.node'), softwareGpu);
  assert.equal(event?.backend, 'onnxruntime');
  assert.match(event!.why, /^auto; webgpu: .*dawn\.node.*(invalid ELF header|too short)/);
});

test('--backend webgpu with an adapter name that matches none: one line naming the adapters found, exit 2', { skip }, () => {
  const loaded = tinyLanguageModel();
  const result = spawnSync(process.execPath, [CLI, '--backend', 'webgpu', 'train', loaded.file], { encoding: 'utf8', env: { ...softwareGpu, DEPTHLAB_GPU_ADAPTER: 'NoSuchGPU' }, timeout: 120_000 });
  assert.equal(result.status, 2);
  const lines = result.stderr.trim().split('\n').filter((line) => line.startsWith('depthlab:'));
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /DEPTHLAB_GPU_ADAPTER=NoSuchGPU: .*Available adapters: backend: 'vulkan', name: 'SwiftShader Device \(Subzero\)'/);
});

// Last in this file: the device stays failed, as a real device does after an out-of-memory or a loss.
test('a GPU error mid-training (a buffer past the adapter\'s limit) fails the run naming the device; its checkpoint stays, and the run resumes', { skip }, async () => {
  const loaded = tinyLanguageModel({ train: { ...TINY_TRAIN, steps: 8, evalEvery: 2, checkpointEvery: 2, backend: 'webgpu' } });
  const expected = /GPU error on SwiftShader.*: Buffer size \(1200000000\) exceeds the max buffer size limit \(1073741824\); DepthLab held [\d.]+ GB on it\. The device is unusable/;
  // At step 3 something asks the GPU for more than it allows, as a model too big for its memory does.
  const overAsk = (event: { type: string; step?: number }) => event.type === 'step' && event.step === 3 && tf.fill([300_000_000], 1);
  await assert.rejects(trainJob({ configFile: loaded.file }, { onEvent: overAsk }), expected);
  const runs = path.join(path.dirname(loaded.file), '.depthlab', 'runs');
  const [runId] = fs.readdirSync(runs);
  const record = JSON.parse(fs.readFileSync(path.join(runs, runId, 'run.json'), 'utf8'));
  assert.equal(record.status, 'failed');
  assert.match(record.error, expected);
  assert.throws(() => tf.ones([4]).sum().dataSync(), expected, 'every read after it fails too');
  const resumed = await trainJob({ configFile: loaded.file, resume: true }, { backend: 'wasm' });
  assert.deepEqual([resumed.runId, resumed.status, resumed.step], [runId, 'completed', 8]);
});
