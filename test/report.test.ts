import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { tinyLanguageModel } from './helpers';

// The built bundle, as a user runs it (npm test builds first).
const CLI = path.join(__dirname, '../dist/cli.js');
const depthlab = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [CLI, '--backend', 'wasm', ...args], { cwd, encoding: 'utf8', timeout: 120_000 });

/** The report's inlined data, as its page reads it. */
function inlinedData(html: string) {
  const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1];
  return JSON.parse(json);
}

test('depthlab report: a run before and after its analysis, self-contained, and one line for a path it does not take', () => {
  const { file } = tinyLanguageModel();
  const dir = path.dirname(file);
  const trained = depthlab(dir, '--json', 'train', 'tiny.depthlab.json');
  assert.equal(trained.status, 0, trained.stderr);
  const runDir = JSON.parse(trained.stdout.trim().split('\n').at(-1)!).runDir as string;

  // Trained, not analysed: what exists, and the command that adds the rest.
  const early = depthlab(dir, 'report', runDir);
  assert.equal(early.status, 0, early.stderr);
  assert.match(early.stdout, /Not analysed yet: `depthlab sweep tiny\.depthlab\.json`/);
  const before = inlinedData(fs.readFileSync(path.join(runDir, 'report.html'), 'utf8'));
  assert.equal(before.kind, 'run');
  assert.ok(before.snapshot.trainLoss.length > 0 && before.snapshot.drops.length === 4, 'loss and drop rates are in the report');
  assert.equal(before.snapshot.sweep, undefined);

  // The sweep writes the report itself and says where.
  const sweep = depthlab(dir, 'sweep', 'tiny.depthlab.json');
  assert.equal(sweep.status, 0, sweep.stderr);
  assert.ok(sweep.stdout.includes(`report: ${path.join(runDir, 'report.html')}`), sweep.stdout);
  const html = fs.readFileSync(path.join(runDir, 'report.html'), 'utf8');
  const after = inlinedData(html);
  assert.equal(after.missing, undefined);
  assert.equal(after.snapshot.sweep.rows.length, 4);
  assert.match(after.tables, /fairseq: --decoder-layers-to-keep 0,2/);
  assert.match(after.tables, /± one standard error/);
  // Nothing to load: no external URL in any src or href, and a policy that forbids loading.
  assert.match(html, /content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"/);
  assert.doesNotMatch(html, /\s(src|href)=["']?(https?:)?\/\//);
  assert.equal((html.match(/<\/script>/g) ?? []).length, 2, 'the inlined script cannot end its element early');

  const out = path.join(dir, 'shared', 'tiny.html');
  const elsewhere = depthlab(dir, 'report', runDir, '--out', 'shared/tiny.html');
  assert.equal(elsewhere.status, 0, elsewhere.stderr);
  assert.ok(fs.existsSync(out));

  const wrong = depthlab(dir, 'report', 'text.txt');
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /report: text\.txt is not JSON; it takes a run folder \(\.depthlab\/runs\/<id>\), a Hugging Face model folder that depthlab analyze has measured, or a compare file/);
  const folder = depthlab(dir, 'report', 'shared');
  assert.equal(folder.status, 2);
  assert.match(folder.stderr, /report: shared is none of what it takes/);
  assert.equal(folder.stderr.trim().split('\n').length, 1, folder.stderr);
});

test('depthlab analyze writes the model report beside its analysis', () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'depthlab-report-'));
  fs.cpSync(path.join(__dirname, 'fixtures', 'huggingface', 'gpt2'), path.join(dir, 'gpt2'), { recursive: true });
  const analysed = depthlab(dir, 'analyze', 'gpt2', '--tokens', '512', '--window', '64');
  assert.equal(analysed.status, 0, analysed.stderr);
  const report = path.join(dir, 'gpt2', '.depthlab', 'report.html');
  assert.ok(analysed.stdout.includes(`report: ${report}`), analysed.stdout);
  const data = inlinedData(fs.readFileSync(report, 'utf8'));
  assert.equal(data.kind, 'model');
  assert.deepEqual(Object.keys(data.snapshot.sweeps), ['every-other', 'importance', 'contiguous-block', 'spread', 'search-on-valid']);
  assert.match(data.tables, /Hugging Face: \{"n_layer": 2\} \(depthlab export/);
  // Each sweep says where it breaks, from the paired errors of its steps, which the sweep now keeps.
  assert.ok(data.snapshot.sweeps['every-other'].slice(1).every((row: { stepStdErr?: number }) => row.stepStdErr! > 0));
  for (const strategy of ['every-other', 'importance', 'spread']) assert.match(data.tables, new RegExp(`^${strategy}( holds to \\d of 4 layers, then loses [\\d.]+ ± [\\d.]+ nats at \\d|: no single step of depth)`, 'm'));
});
