/**
 * The editor the end-to-end tests drive: the built .vsix installed into code-server (VS Code in a
 * browser), opened on a workspace in Debian's Chromium through Playwright.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '../..');
const CODE_SERVER = path.join(__dirname, 'node_modules/.bin/code-server');
const VSIX = path.join(ROOT, 'depthlab-linux-x64.vsix');

export interface Editor {
  page: Page;
  /** code-server's output and the page's CSP or DepthLab console errors, for a failing test's report. */
  log: () => string;
  close: () => Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** code-server on a free port with DepthLab installed, `workspace` open, user `settings` (none: a first start, walkthrough and all). */
export async function startEditor(scratch: string, workspace: string, settings?: Record<string, unknown>): Promise<Editor> {
  assert.ok(fs.existsSync(VSIX), 'npm run package -- linux-x64 builds depthlab-linux-x64.vsix first');
  const userData = path.join(scratch, 'user-data');
  const extensions = path.join(scratch, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  if (settings) fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings));
  const install = spawnSync(CODE_SERVER, ['--install-extension', VSIX, '--extensions-dir', extensions, '--user-data-dir', userData], { encoding: 'utf8' });
  assert.equal(install.status, 0, `installing the vsix failed:\n${install.stdout}\n${install.stderr}`);

  let log = '';
  const port = await freePort();
  const server: ChildProcess = spawn(
    CODE_SERVER,
    ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--extensions-dir', extensions, '--user-data-dir', userData, workspace],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await waitFor('code-server to listen', () => log.includes('HTTP server listening'), 60_000);

  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|depthlab/i.test(message.text())) log += `[browser] ${message.text()}\n`;
  });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.statusbar').waitFor();
  return {
    page,
    log: () => log,
    close: async () => {
      await browser.close();
      server.kill();
    },
  };
}

/**
 * A command from the palette (F1), by its title. On a first start the welcome walkthrough can take
 * focus and close the palette while it opens (as a user sees it); then the palette is opened again.
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${title}`);
      await row.waitFor({ timeout: 10_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
}

/** The run.json of `workspace`'s run of `configFile` whose status is `status`, if there is one yet. */
export function runRecord(workspace: string, configFile: string, status: string) {
  const runs = path.join(workspace, '.depthlab', 'runs');
  if (!fs.existsSync(runs)) return undefined;
  return fs
    .readdirSync(runs)
    .map((id) => JSON.parse(fs.readFileSync(path.join(runs, id, 'run.json'), 'utf8')))
    .find((record) => record.configFile === configFile && record.status === status);
}
