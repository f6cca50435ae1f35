/**
 * A user's path through the extension in a real editor: install the built .vsix into code-server,
 * open a workspace with a tiny config, run "DepthLab: Train with LayerDrop" from the command
 * palette, open the Depth Explorer, uncheck a layer, "Write to config", and find the list on disk;
 * then a Hugging Face model: its config.json's CodeLens, the analysis, the picker, the pruned export.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { parse } from 'jsonc-parser';
import { TEXT, writeHubCache } from '../helpers';
import { runConfig } from './runConfig';
import { runCommand as runPaletteCommand, runRecord, startEditor, waitFor, type Editor } from './codeServer';

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(__dirname, 'screenshots');
const LAYERS = 4;

const CONFIG = `{
  // A model small enough to train in seconds on one core.
  "name": "tiny",
  "data": { "train": "text.txt" },
  "model": { "layers": ${LAYERS}, "dModel": 16, "heads": 2, "ffn": 32, "seqLen": 16 },
  "layerdrop": { "rate": 0.5 },
  "train": { "steps": 30, "batchSize": 4, "evalEvery": 10, "evalBatches": 2, "checkpointEvery": 10, "backend": "onnxruntime" },
  "prune": { "strategy": "every-other", "targetLayers": 2 }
}
`;

const SEARCHED_CONFIG = JSON.stringify(runConfig('deep', 12, { steps: 2, evalEvery: 10, evalBatches: 60 }, { strategy: 'search-on-valid', targetLayers: 6 }));

const CACHED_COMMIT = '5e1ec7ed5e1ec7ed5e1ec7ed5e1ec7ed5e1ec7ed';

let editor: Editor;
let page: Page;
let workspace: string;

const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

const runCommand = (title: string) => runPaletteCommand(page, title);
/** A colour theme picked by name (Ctrl+K Ctrl+T: the palette's "Color Theme" also finds the marketplace's); the page follows the theme's variables. */
async function pickTheme(name: string, workbenchClass: string) {
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+T');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.monaco-workbench.${workbenchClass}`).waitFor({ timeout: 10_000 });
}

/** How many of the page's frames (webviews among them) show `text`. */
async function framesShowing(text: string): Promise<number> {
  const shown = await Promise.all(page.frames().map((frame) => frame.evaluate((wanted) => document.body?.innerText.includes(wanted) ?? false, text).catch(() => false)));
  return shown.filter(Boolean).length;
}

/** Quick open: `name` typed, the row showing `row` (quick open shows a file's name, its folder beside it) opened. */
async function openFile(name: string, row = name): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: row }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** The page re-renders on every refresh (a job's files landing one after another): scroll to a section once it holds still. */
async function scrollWhenStill(section: Locator): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await section.scrollIntoViewIfNeeded({ timeout: 5_000 }).then(() => true, () => false)) return;
  }
  await section.scrollIntoViewIfNeeded();
}

function explorerFrame(): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

before(async () => {
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-e2e-'));
  workspace = path.join(scratch, 'workspace');
  fs.mkdirSync(workspace);
  fs.writeFileSync(path.join(workspace, 'tiny.depthlab.json'), CONFIG);
  // Written before the editor starts: quick open may not list a file created while it runs.
  fs.writeFileSync(path.join(workspace, 'long.depthlab.json'), CONFIG.replace('"steps": 30', '"steps": 100000').replace('"name": "tiny"', '"name": "long"'));
  // Deep enough, and measured on enough text, that its search takes seconds: the lens can be read mid-sweep.
  fs.writeFileSync(path.join(workspace, 'deep.depthlab.json'), SEARCHED_CONFIG);
  fs.writeFileSync(path.join(workspace, 'text.txt'), TEXT.repeat(4));
  fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'huggingface', 'gpt2'), path.join(workspace, 'models', 'gpt2'), { recursive: true });
  // A Hugging Face cache outside the workspace, as huggingface_hub lays it out: the editor's job processes inherit HF_HUB_CACHE.
  process.env.HF_HUB_CACHE = writeHubCache(path.join(scratch, 'hub'), 'acme/tiny-gpt2', path.join(ROOT, 'test', 'fixtures', 'huggingface', 'gpt2'), [CACHED_COMMIT]);
  // The welcome walkthrough closed: newConfig.e2e.ts runs a first start with it open.
  editor = await startEditor(scratch, workspace, { 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.ignoreRecommendations': true, 'workbench.tips.enabled': false });
  page = editor.page;
});

after(async () => {
  await editor?.close();
  if (process.exitCode) process.stderr.write(`code-server log:\n${editor?.log().slice(-5000)}\n`);
});

test('train from the command palette, pick layers in the Depth Explorer, write them to the config, evaluate them', { timeout: 8 * 60_000 }, async () => {
  await openFile('tiny.depthlab.json');
  await page.locator('.monaco-editor .view-lines', { hasText: 'A model small enough' }).waitFor();
  await page.locator('.codelens-decoration', { hasText: 'Train with LayerDrop' }).waitFor({ timeout: 60_000 });
  await shot('1-config-with-codelens');

  await runCommand('DepthLab: Train with LayerDrop');
  const runs = path.join(workspace, '.depthlab', 'runs');
  const runDir = await waitFor('a run folder', () => fs.existsSync(runs) && fs.readdirSync(runs)[0], 60_000);
  await page.locator('.notifications-toasts', { hasText: 'DepthLab: Train' }).first().waitFor({ timeout: 60_000 });
  await shot('2-training-progress');
  const sweepFile = path.join(runs, runDir, 'sweep.json');
  await waitFor('training and the depth sweep to finish', () => fs.existsSync(sweepFile), 5 * 60_000);
  const record = JSON.parse(fs.readFileSync(path.join(runs, runDir, 'run.json'), 'utf8'));
  assert.equal(record.status, 'completed');
  assert.equal(record.step, 30);
  // onnxruntime as the linux-x64 vsix carries it, beside the bundle.
  assert.equal(record.backend, 'onnxruntime');
  assert.match(record.device, /^CPU; matrix products on onnxruntime 1\./);
  await page.locator('.notifications-toasts', { hasText: 'completed at step 30' }).waitFor({ timeout: 30_000 });
  // Once the job has settled the lens reads the run record again, not the job's last step.
  await page.locator('.codelens-decoration', { hasText: 'last run: completed 30/30' }).waitFor({ timeout: 30_000 });

  await runCommand('DepthLab: Open Depth Explorer');
  const frame = explorerFrame();
  const layerOne = frame.locator('label.checkbox[data-layer="1"]');
  await layerOne.waitFor({ timeout: 60_000 });
  await frame.locator('canvas').first().waitFor();
  await frame.locator('section', { hasText: 'Depth sweep' }).locator('canvas').waitFor();
  await shot('3-depth-explorer');
  // The same page under a dark theme (the editor starts light): controls and charts take the theme's colours.
  await pickTheme('Dark Modern', 'vs-dark');
  // Chart.js redraws on a theme change with its grow-in animation; the picture is of the settled page.
  await page.waitForTimeout(1500);
  await shot('3b-depth-explorer-dark');
  await pickTheme('Light Modern', 'vs');

  assert.equal(await layerOne.locator('input').isChecked(), true);
  await layerOne.click();
  await frame.locator('.summary', { hasText: `Keeps ${LAYERS - 1} of ${LAYERS}: 0,2,3` }).waitFor();
  await frame.locator('button.control', { hasText: 'Write to tiny.depthlab.json' }).click();

  const configFile = path.join(workspace, 'tiny.depthlab.json');
  const written = await waitFor('layersToKeep on disk', () => parse(fs.readFileSync(configFile, 'utf8')).layersToKeep as number[] | undefined, 30_000);
  assert.deepEqual(written, [0, 2, 3]);
  const text = fs.readFileSync(configFile, 'utf8');
  assert.match(text, /\/\/ A model small enough to train in seconds on one core\./, 'comments survive the write');
  await frame.locator('.notice', { hasText: 'Wrote layersToKeep [0, 2, 3]' }).waitFor();
  await page.locator('.codelens-decoration', { hasText: `Explore depth (keeps ${LAYERS - 1} of ${LAYERS})` }).waitFor({ timeout: 30_000 });
  await shot('4-written-to-config');

  await frame.locator('button.control', { hasText: 'Evaluate selection' }).click();
  await frame.locator('.result', { hasText: /Layers 0,2,3: loss \d+\.\d{4} ± \d+\.\d{4} ppl [\d.]+ · full model: loss \d+\.\d{4} ± \d+\.\d{4}/ }).waitFor({ timeout: 60_000 });
  await frame.locator('.result').scrollIntoViewIfNeeded();
  await shot('5-evaluated-selection');

  await frame.locator('button.control', { hasText: 'Heal selection' }).click();
  await frame.locator('.notice', { hasText: /Healed layers 0, 2, 3 for 100 steps: loss \d+\.\d{4} → \d+\.\d{4}/ }).waitFor({ timeout: 2 * 60_000 });
  const healRecord = JSON.parse(fs.readFileSync(path.join(runs, runDir, 'healed', 'keep-0-2-3-all-100', 'heal.json'), 'utf8'));
  assert.deepEqual(healRecord.keep, [0, 2, 3]);
  assert.ok(healRecord.after.loss < healRecord.before.loss, `heal lowers the loss: ${healRecord.before.loss} → ${healRecord.after.loss}`);
  // The notice sits at the top of the page, which re-renders when the heal's snapshot arrives: no scrolling to race with.
  await shot('5b-healed-selection');

  // Save a chart through the save dialog (code-server's simple dialog, its default path: beside the run).
  await frame.locator('[data-chart="importance"] button[aria-label^="Save"]').click();
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  const png = path.join(runs, runDir, `${runDir}-importance.png`);
  await waitFor('the saved PNG', () => fs.existsSync(png) && fs.statSync(png).size > 1000, 30_000);
  assert.deepEqual([...fs.readFileSync(png).subarray(1, 4)], [...Buffer.from('PNG')]);
  await frame.locator('.notice', { hasText: 'Saved the importance per layer chart to' }).waitFor();

  // A chart opened large: the explorer in an editor tab, scrolled to it.
  await frame.locator('[data-chart="depth-sweep"] button[aria-label^="Open"]').click();
  await page.locator('.tabs-container .tab', { hasText: 'Depth Explorer' }).waitFor({ timeout: 30_000 });
  // Two explorers now: the side bar's and the tab's, each with its depth sweep.
  await waitFor('the editor-tab explorer to draw', async () => (await framesShowing('every depth without finetuning')) === 2, 30_000);
  await shot('5c-chart-large');
  await runCommand('View: Close Editor');
  await page.locator('.tabs-container .tab', { hasText: 'Depth Explorer' }).waitFor({ state: 'detached', timeout: 10_000 });

  // The run's report, written beside it and shown in a tab.
  await frame.locator('button.control', { hasText: 'Open Report' }).first().click();
  await page.locator('.tabs-container .tab', { hasText: 'Report:' }).waitFor({ timeout: 30_000 });
  await waitFor('report.html beside the run', () => fs.existsSync(path.join(runs, runDir, 'report.html')), 10_000);
  await page.locator('.notifications-toasts', { hasText: 'report written to' }).first().waitFor({ timeout: 10_000 });
  await waitFor('the report to draw in its tab', async () => (await framesShowing(`DepthLab run ${runDir}`)) === 1, 30_000);
  await shot('5d-report-tab');
  await runCommand('View: Close Editor');
  await page.locator('.tabs-container .tab', { hasText: 'Report:' }).waitFor({ state: 'detached', timeout: 10_000 });
  // The next test starts from the config in the editor, as this one did.
  await openFile('tiny.depthlab.json');
});

test('prune to N layers from the palette and export the result; cancel a long training from its notification', { timeout: 5 * 60_000 }, async () => {
  const runs = path.join(workspace, '.depthlab', 'runs');
  await runCommand('DepthLab: Prune to N Layers…');
  const input = page.locator('.quick-input-widget input');
  await page.locator('.quick-input-widget', { hasText: `Keep how many of the ${LAYERS} layers?` }).waitFor();
  await input.fill('2');
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'search-on-valid' }).waitFor();
  await input.fill('every-other');
  await page.keyboard.press('Enter');
  const pruned = page.locator('.notification-toast', { hasText: 'keep 0,2: loss' });
  await pruned.waitFor({ timeout: 60_000 });
  await shot('6-pruned');
  await pruned.getByRole('button', { name: 'Export Pruned Model' }).click();
  const exported = await waitFor(
    'the exported checkpoint',
    () => fs.readdirSync(runs).map((id) => path.join(runs, id, 'export', 'keep-0-2', 'model.safetensors')).find((file) => fs.existsSync(file)),
    60_000,
  );
  const headerLength = Number(fs.readFileSync(exported).readBigUInt64LE(0));
  const header = JSON.parse(fs.readFileSync(exported).subarray(8, 8 + headerLength).toString());
  assert.ok(header['layers.1.attn.qkv.weight'] && !header['layers.2.attn.qkv.weight'], 'two layers, renumbered');
  await page.locator('.notification-toast', { hasText: 'with a GPT-2 folder transformers loads' }).waitFor({ timeout: 30_000 });
  const gpt2 = JSON.parse(fs.readFileSync(path.join(path.dirname(exported), 'huggingface', 'config.json'), 'utf8'));
  assert.deepEqual([gpt2.model_type, gpt2.n_layer], ['gpt2', 2]);

  await openFile('long.depthlab.json');
  await page.locator('.monaco-editor .view-lines', { hasText: '100000' }).waitFor();
  await runCommand('DepthLab: Train with LayerDrop');
  const progress = page.locator('.notification-toast', { hasText: 'DepthLab: Train long.depthlab.json' });
  await progress.locator('.notification-list-item-message', { hasText: 'step' }).waitFor({ timeout: 60_000 });
  // The lens follows the job, not the run record (written at the start and the end).
  await page.locator('.codelens-decoration', { hasText: /run: training \d+\/100000/ }).waitFor({ timeout: 30_000 });
  await shot('7-long-training');
  await progress.getByRole('button', { name: 'Cancel' }).click();
  const cancelled = await waitFor('the long run marked cancelled', () => runRecord(workspace, 'long.depthlab.json', 'cancelled'), 60_000);
  await page.locator('.codelens-decoration', { hasText: /last run: cancelled \d+\/100000/ }).waitFor({ timeout: 30_000 });
  assert.ok(cancelled.step > 0);
  assert.ok(fs.existsSync(path.join(runs, cancelled.id, 'checkpoints', 'latest.json')), 'cancel writes a checkpoint');
  await page.locator('.statusbar-item', { hasText: 'DepthLab: Train' }).waitFor({ state: 'detached', timeout: 30_000 });

  // After training, the lens says which evaluation phase runs, then the run's record once the job ends.
  await openFile('deep.depthlab.json');
  await page.locator('.monaco-editor .view-lines', { hasText: 'search-on-valid' }).waitFor();
  await runCommand('DepthLab: Train with LayerDrop');
  await page.locator('.codelens-decoration', { hasText: 'run: sweeping 1/1' }).waitFor({ timeout: 60_000 });
  await shot('7b-lens-while-sweeping');
  await page.locator('.codelens-decoration', { hasText: 'last run: completed 2/2' }).waitFor({ timeout: 60_000 });
});

test('a Hugging Face model: explore its depth from the CodeLens on config.json, pick layers, export a pruned folder', { timeout: 5 * 60_000 }, async () => {
  await openFile('models/gpt2/config.json', 'config.json');
  await page.locator('.monaco-editor .view-lines', { hasText: 'scale_attn_by_inverse_layer_idx' }).waitFor();
  const lens = page.locator('.codelens-decoration a', { hasText: 'Explore depth of this model (4 layers)' });
  await lens.waitFor({ timeout: 60_000 });
  await shot('8-model-codelens');
  await lens.click();
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Moby Dick (bundled)' }).waitFor();
  await page.keyboard.press('Enter');
  // What to measure beside the loss: the bundled cloze at every depth, and attention and MLP apart.
  const cloze = page.locator('.quick-input-list .monaco-list-row', { hasText: 'moby-dick-cloze' });
  await cloze.waitFor();
  await cloze.click();
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Attention and MLP apart' }).click();
  await shot('8b-task-picker');
  await page.keyboard.press('Enter');
  const analysisFile = path.join(workspace, 'models', 'gpt2', '.depthlab', 'analysis.json');
  await waitFor('the model analysis', () => fs.existsSync(analysisFile), 3 * 60_000);
  const analysis = JSON.parse(fs.readFileSync(analysisFile, 'utf8'));
  assert.deepEqual(analysis.keep, [0, 2]);
  assert.deepEqual(Object.keys(analysis.sweeps), ['every-other', 'importance', 'contiguous-block', 'spread', 'search-on-valid']);
  assert.deepEqual(analysis.tasks.map((task: { name: string; items: number }) => [task.name, task.items]), [['moby-dick-cloze', 200]]);
  assert.ok(analysis.sweeps['every-other'].every((row: { tasks: unknown[] }) => row.tasks.length === 1), 'every depth has its accuracy');
  assert.equal(analysis.parts.length, 4);
  assert.equal(analysis.sublayerSearch.length, 9);

  const frame = explorerFrame();
  await frame.locator('button.control', { hasText: 'Analyze Again' }).waitFor({ timeout: 60_000 });
  await frame.locator('section', { hasText: 'Depth sweep' }).locator('canvas').waitFor();
  await frame.locator('.hint', { hasText: /moby-dick-cloze \(200 questions\): full acc \d+\.\d ± \d+\.\d%, acc_norm .*; keeping 0,2 acc/ }).waitFor();
  const parts = frame.locator('section', { hasText: 'Attention or MLP' });
  await parts.locator('canvas').waitFor();
  await parts.locator('.hint', { hasText: /^Sublayer search: / }).waitFor();
  await scrollWhenStill(parts);
  await shot('9a-attention-or-mlp');
  // The angular-distance heat map: a row per block size, one cell per start layer.
  assert.equal(await frame.locator('.heat-map tbody tr').count(), 4);
  assert.equal(await frame.locator('.heat-map tbody tr').first().locator('td').count(), 4);
  // The analysis kept every other layer, 0 and 2; add layer 3.
  const layerThree = frame.locator('label.checkbox[data-layer="3"]');
  await layerThree.waitFor();
  await layerThree.click();
  await frame.locator('.summary', { hasText: 'Keeps 3 of 4: 0,2,3' }).waitFor();
  await shot('9-model-explorer');
  await frame.locator('button.control', { hasText: 'Evaluate selection' }).click();
  await frame.locator('.result', { hasText: /Layers 0,2,3: loss \d+\.\d{4}( ± \d+\.\d{4})? ppl [\d.]+ · full model/ }).waitFor({ timeout: 60_000 });
  await frame.locator('button.control', { hasText: 'Export Pruned Model' }).click();
  await frame.locator('.notice', { hasText: 'Exported layers 0, 2, 3 to models/gpt2-keep-0-2-3' }).waitFor({ timeout: 60_000 });
  const exported = path.join(workspace, 'models', 'gpt2-keep-0-2-3');
  assert.equal(JSON.parse(fs.readFileSync(path.join(exported, 'config.json'), 'utf8')).n_layer, 3);
  assert.match(fs.readFileSync(path.join(exported, 'README.md'), 'utf8'), /Kept layers \(original indices\): 0, 2, 3/);
  await page.locator('.codelens-decoration', { hasText: 'analysed: keep 0,2 (every-other)' }).waitFor({ timeout: 30_000 });
  await shot('10-model-exported');
});

test("the model picker lists the Hugging Face cache's models by id and analyses one, writing nothing into the cache", { timeout: 4 * 60_000 }, async () => {
  await runCommand('DepthLab: Explore Depth of a Model (Hugging Face)…');
  const cached = page.locator('.quick-input-list .monaco-list-row', { hasText: 'acme/tiny-gpt2' });
  await cached.waitFor({ timeout: 30_000 });
  // Beside its id: the revision, its size on disk, its layers and family.
  assert.match(await cached.innerText(), /acme\/tiny-gpt2[\s\S]*main · \d+ MB · 4 layers · gpt2/);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Choose folder…' }).waitFor();
  await shot('11-model-picker-cache');
  await cached.click();
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Moby Dick (bundled)' }).waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Attention and MLP apart' }).waitFor();
  await page.keyboard.press('Enter');
  const analysisFile = path.join(workspace, '.depthlab', 'models', 'acme--tiny-gpt2', CACHED_COMMIT, 'analysis.json');
  await waitFor('the cached model analysis, in the workspace', () => fs.existsSync(analysisFile), 3 * 60_000);
  assert.equal(JSON.parse(fs.readFileSync(analysisFile, 'utf8')).layers, 4);
  assert.ok(!fs.existsSync(path.join(process.env.HF_HUB_CACHE!, 'models--acme--tiny-gpt2', 'snapshots', CACHED_COMMIT, '.depthlab')), 'nothing written into the cache');
  // The explorer names it by its id.
  await explorerFrame().locator('select option', { hasText: 'acme/tiny-gpt2 (Hugging Face)' }).first().waitFor({ state: 'attached', timeout: 60_000 });
});

test('compare with and without LayerDrop from the palette: the Depth Explorer draws the comparison and says what it shows', { timeout: 4 * 60_000 }, async () => {
  await runCommand('DepthLab: Compare With and Without LayerDrop');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'tiny.depthlab.json' }).click();
  const compareDir = path.join(workspace, '.depthlab', 'compare');
  await waitFor('the saved comparison', () => fs.existsSync(compareDir) && fs.readdirSync(compareDir).length > 0, 3 * 60_000);
  const frame = explorerFrame();
  const section = frame.locator('section', { hasText: 'Compare' });
  await section.locator('canvas').waitFor({ timeout: 60_000 }).catch(async (error) => {
    await shot('11-compare-missing');
    throw error;
  });
  await section.locator('.hint', { hasText: /Pruned to 2 of 4 layers \(every-other, no finetuning\): the LayerDrop model/ }).waitFor();
  await scrollWhenStill(section);
  await shot('11-compare');
  // One strategy at a time: the choice survives the page's re-renders.
  await section.locator('select.control').selectOption('spread');
  await page.waitForTimeout(500);
  assert.equal(await section.locator('select.control').inputValue(), 'spread');

  await section.locator('button.control', { hasText: 'Open Report' }).click();
  await waitFor('the comparison report in a tab', async () => (await framesShowing('DepthLab comparison: tiny.depthlab.json')) === 1, 30_000);
  assert.ok(fs.readdirSync(compareDir).some((name) => name.endsWith('.html')), 'the report lies beside the comparison');
  await shot('11b-compare-report');
  await runCommand('View: Close Editor');
});

