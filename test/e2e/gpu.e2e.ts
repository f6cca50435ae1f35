/**
 * A user whose editor says `depthlab.backend: "webgpu"`: training runs on the GPU, and the run and the
 * Depth Explorer name the device. The machine has no GPU, so the job gets SwiftShader, the software
 * Vulkan driver chromium ships (which only a request for webgpu takes; auto never does).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { TEXT } from '../helpers';
import { runCommand, runRecord, startEditor, waitFor, type Editor } from './codeServer';

const CONFIG = `{
  // Trained on the GPU the editor's setting names, over this "wasm".
  "name": "gpu",
  "data": { "train": "text.txt" },
  "model": { "layers": 4, "dModel": 16, "heads": 2, "ffn": 32, "seqLen": 16 },
  "layerdrop": { "rate": 0.5 },
  "train": { "steps": 10, "batchSize": 4, "evalEvery": 10, "evalBatches": 2, "checkpointEvery": 10, "backend": "wasm" },
  "prune": { "strategy": "every-other", "targetLayers": 2 }
}
`;

let editor: Editor;
let workspace: string;

before(async () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-e2e-gpu-'));
  workspace = path.join(scratch, 'workspace');
  fs.mkdirSync(workspace);
  fs.writeFileSync(path.join(workspace, 'gpu.depthlab.json'), CONFIG);
  fs.writeFileSync(path.join(workspace, 'text.txt'), TEXT.repeat(4));
  // The editor's jobs inherit the environment: SwiftShader as the Vulkan driver.
  Object.assign(process.env, { VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json', XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? scratch });
  editor = await startEditor(scratch, workspace, { 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.ignoreRecommendations': true, 'depthlab.backend': 'webgpu' });
});

after(async () => {
  await editor?.close();
  if (process.exitCode) process.stderr.write(`code-server log:\n${editor?.log().slice(-5000)}\n`);
});

test('with the setting depthlab.backend "webgpu", training runs on the software adapter, and the run and the Depth Explorer name it', { timeout: 5 * 60_000 }, async () => {
  const { page } = editor;
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill('gpu.depthlab.json');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'gpu.depthlab.json' }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-lines', { hasText: 'Trained on the GPU' }).waitFor();
  await runCommand(page, 'DepthLab: Train with LayerDrop');
  const record = await waitFor('the run on the GPU to complete', () => runRecord(workspace, 'gpu.depthlab.json', 'completed'), 4 * 60_000);
  assert.equal(record.backend, 'webgpu', 'the setting overrides the config\'s "wasm"');
  assert.match(record.device, /SwiftShader.*a software adapter/);
  await runCommand(page, 'DepthLab: Open Depth Explorer');
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await frame.locator('.subtitle', { hasText: /completed · step 10\/10 · webgpu on SwiftShader/ }).waitFor({ timeout: 60_000 });
  await page.screenshot({ path: path.join(__dirname, 'screenshots', '12-gpu-run.png') });
});
