/**
 * A first start: an empty workspace and code-server's default settings, so the welcome walkthrough
 * is open (it takes focus from the first quick pick an extension shows). "DepthLab: New Config"
 * from the palette must keep its quick pick open and save `model.depthlab.json` under that name.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'jsonc-parser';
import type { Locator } from 'playwright-core';
import { runCommand, startEditor, waitFor, type Editor } from './codeServer';

let editor: Editor;

async function waitForValue(input: Locator, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 15_000;
  let value = '';
  while (Date.now() < deadline) {
    value = await input.inputValue();
    if (pattern.test(value)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.match(value, pattern);
}
let workspace: string;

before(async () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-e2e-first-'));
  workspace = path.join(scratch, 'workspace');
  fs.mkdirSync(workspace);
  editor = await startEditor(scratch, workspace);
});

after(async () => {
  await editor?.close();
  if (process.exitCode) process.stderr.write(`code-server log:\n${editor?.log().slice(-5000)}\n`);
});

test('first start, empty workspace, walkthrough open: New Config writes model.depthlab.json and opens it', { timeout: 3 * 60_000 }, async () => {
  const { page } = editor;
  const shot = (name: string) => page.screenshot({ path: path.join(__dirname, 'screenshots', `${name}.png`) });
  await page.locator('.gettingStartedContainer, .welcome-page, [id="workbench.editors.gettingStartedInput"]').first().waitFor({ timeout: 60_000 });
  await shot('0-first-start');
  await runCommand(page, 'DepthLab: New Config');
  const task = page.locator('.quick-input-list .monaco-list-row', { hasText: 'language-model' });
  await task.waitFor({ timeout: 30_000 });
  // The walkthrough grabbing focus must not close the pick.
  await page.waitForTimeout(1500);
  await task.waitFor({ state: 'visible' });
  await shot('0-new-config-task');
  // Clicked, as a user would: the walkthrough may hold the keyboard focus.
  await task.click();
  const saveInput = page.locator('.quick-input-widget input');
  await page.locator('.quick-input-widget', { hasText: 'New DepthLab config' }).waitFor({ timeout: 30_000 });
  await shot('0-new-config-save');
  // The simple dialog fills the folder first, then the proposed name.
  await waitForValue(saveInput, /workspace\/model\.depthlab\.json$/);
  await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).click();
  const file = path.join(workspace, 'model.depthlab.json');
  await waitFor('the new config on disk', () => fs.existsSync(file), 30_000).catch(async (error) => {
    await shot('0-new-config-not-saved');
    throw error;
  });
  assert.deepEqual(fs.readdirSync(workspace), ['model.depthlab.json']);
  assert.equal(parse(fs.readFileSync(file, 'utf8')).task, 'language-model');
  await page.locator('.monaco-editor .view-lines', { hasText: 'layerdrop' }).waitFor({ timeout: 30_000 });
  await page.locator('.codelens-decoration', { hasText: 'Train with LayerDrop' }).waitFor({ timeout: 60_000 });
  await shot('0-new-config-open');
});
