/**
 * depthlab report's pages in a real browser (Debian's Chromium, headless): a trained run, a Hugging
 * Face model's analysis and a comparison, each made by the built CLI. Every chart draws and the page
 * asks for nothing, not even a font. The trained run's page is the README's picture of the report.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { TEXT } from '../helpers';
import { runConfig } from './runConfig';

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(__dirname, 'screenshots');

const CONFIG = runConfig('report', 6, { steps: 60, evalEvery: 20, evalBatches: 8 }, { strategy: 'every-other', targetLayers: 3 });

let browser: Browser;
let workspace: string;

function depthlab(...args: string[]): string {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), '--json', ...args], { cwd: workspace, encoding: 'utf8', timeout: 5 * 60_000 });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-report-e2e-'));
  fs.writeFileSync(path.join(workspace, 'text.txt'), TEXT.repeat(3));
  fs.writeFileSync(path.join(workspace, 'report.depthlab.json'), JSON.stringify(CONFIG, null, 2));
  fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'huggingface', 'gpt2'), path.join(workspace, 'gpt2'), { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
});

/** Open a report, check every canvas drew and nothing was requested; returns the number of charts. */
async function check(file: string, colorScheme: 'light' | 'dark', shot?: string): Promise<number> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, colorScheme });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto(`file://${file}`);
  await page.locator('canvas').first().waitFor();
  const inked = await page.evaluate(() =>
    [...document.querySelectorAll('canvas')].map((canvas) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let pixels = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) pixels++;
      return pixels;
    }),
  );
  assert.ok(inked.length > 0);
  inked.forEach((pixels, i) => assert.ok(pixels > 500, `${path.basename(file)}: canvas ${i} drew ${pixels} pixels`));
  assert.deepEqual(requests, [`file://${file}`], 'the page loads nothing but itself');
  assert.deepEqual(errors, []);
  // The page's top (title, the first charts), as a reader first sees it.
  if (shot) await page.screenshot({ path: path.join(SHOTS, `${shot}.png`) });
  await page.close();
  return inked.length;
}

test('a trained run: loss, drop rates, importance, depth sweep and angular distance, in light and dark', { timeout: 5 * 60_000 }, async () => {
  const run = JSON.parse(depthlab('run', 'report.depthlab.json').trim().split('\n').at(-1)!);
  assert.equal(run.report, path.join(run.runDir, 'report.html'));
  assert.equal(await check(run.report, 'light', 'report-run'), 4);
  assert.equal(await check(run.report, 'dark', 'report-run-dark'), 4);
  const page = await browser.newPage();
  await page.goto(`file://${run.report}`);
  assert.equal(await page.locator('.heat-map tbody tr').count(), 6);
  assert.match((await page.locator('pre').textContent())!, /fairseq: --decoder-layers-to-keep 0,2,4/);
  await page.close();
});

test('a Hugging Face model analysis and a comparison', { timeout: 5 * 60_000 }, async () => {
  const model = JSON.parse(depthlab('analyze', 'gpt2', '--tokens', '1024', '--window', '64').trim().split('\n').at(-1)!);
  assert.equal(await check(model.report, 'light'), 2);
  // The same analysis as a budget that ran out would leave it: the first layer exact, the others estimated.
  const analysis = JSON.parse(fs.readFileSync(model.file, 'utf8'));
  analysis.statistics = analysis.statistics.map(({ lossIncrease, lossIncreaseStdErr, ...layer }: Record<string, number>, l: number) =>
    l === 0 ? { ...layer, lossIncrease, lossIncreaseStdErr, lossIncreaseEstimate: lossIncrease * 0.9, lossIncreaseEstimateStdErr: lossIncreaseStdErr } : { ...layer, lossIncreaseEstimate: lossIncrease * 0.9, lossIncreaseEstimateStdErr: lossIncreaseStdErr },
  );
  fs.writeFileSync(model.file, JSON.stringify(analysis));
  const estimated = JSON.parse(depthlab('report', 'gpt2').trim().split('\n').at(-1)!).file;
  assert.equal(await check(estimated, 'light', 'report-estimates'), 2);
  const page = await browser.newPage();
  await page.goto(`file://${estimated}`);
  assert.match((await page.locator('body').textContent())!, /hollow bars: 3 of 4 are first-order estimates \(gradient × activation\), marked ~/);
  assert.match((await page.locator('pre').first().textContent())!, /~ first-order estimate/);
  await page.close();
  const comparison = JSON.parse(depthlab('compare', 'report.depthlab.json').trim().split('\n').at(-1)!);
  assert.equal(await check(comparison.report, 'light', 'report-compare'), 5, 'a chart per strategy');
});
