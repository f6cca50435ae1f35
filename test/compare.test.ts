import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { compareSummary, type ComparedModel } from '../src/core/compare/compareSummary';
import { compareJob, type CompareJobResult } from '../src/core/jobs/compareJob';
import { compareText } from '../src/core/report/analysisText';
import { startExcerpt, withExcerpt } from '../scripts/startExcerpt';
import { tinyLanguageModel, TINY_TRAIN } from './helpers';

const evaluation = (loss: number, layers: number[]) => ({ layers, loss, perplexity: Math.exp(loss), msPerBatch: 1 });
const row = (depth: number, loss: number) => ({ depth, ...evaluation(loss, Array.from({ length: depth }, (_, l) => l)) });

test('the summary says how much pruning cost each model, and whether the small model from scratch won', () => {
  const sweep = (full: number, pruned: number) => ({ 'every-other': [row(4, full), row(3, (full + pruned) / 2), row(2, pruned), row(1, pruned + 1)] });
  const models = (scratchLoss: number): ComparedModel[] => [
    { key: 'layerdrop', label: 'LD', layers: 4, rate: 0.5, runId: 'a', full: evaluation(2.0, [0, 1, 2, 3]), sweeps: sweep(2.0, 2.05) },
    { key: 'no-layerdrop', label: 'plain', layers: 4, rate: 0, runId: 'b', full: evaluation(1.8, [0, 1, 2, 3]), sweeps: sweep(1.8, 2.4) },
    { key: 'scratch', label: 'small', layers: 2, rate: 0, runId: 'c', full: evaluation(scratchLoss, [0, 1]) },
  ];
  const [costs, at, verdict] = compareSummary(models(1.95), 2);
  assert.match(costs, /the LayerDrop model \+0\.050 nats against its full depth, the model trained without LayerDrop \+0\.600 nats/);
  assert.match(at, /LayerDrop model pruned 2\.050, no-LayerDrop model pruned 2\.400, 2 layers from scratch 1\.950/);
  assert.match(verdict, /the 2-layer model trained from scratch beats the pruned LayerDrop model by 0\.100 nats/);
  assert.match(compareSummary(models(2.2), 2)[2], /The pruned LayerDrop model matches or beats 2 layers trained from scratch, by 0\.150 nats/);
});

test('compare trains the three models with one seed and budget, sweeps the deep ones with every strategy, and saves the comparison', async () => {
  const loaded = tinyLanguageModel({ layerdrop: { rate: 0.25 }, train: { ...TINY_TRAIN, steps: 6 }, prune: { targetLayers: 2 } });
  const result = await compareJob({ configFile: loaded.file }, { backend: 'wasm' });
  assert.deepEqual(result.models.map((m) => [m.key, m.layers, m.rate]), [['layerdrop', 4, 0.5], ['no-layerdrop', 4, 0], ['scratch', 2, 0], ['config-rate', 4, 0.25]]);
  for (const model of result.models.filter((m) => m.layers === 4)) {
    assert.deepEqual(Object.keys(model.sweeps!), ['every-other', 'importance', 'contiguous-block', 'spread', 'search-on-valid']);
    assert.deepEqual(model.sweeps!['every-other']!.map((r) => r.depth), [4, 3, 2, 1]);
    assert.equal(model.sweeps!['every-other']![0].loss, model.full.loss, 'depth N of the sweep is the full model');
  }
  assert.equal(result.summary.length, 4);
  assert.match(result.summary[3], /^LayerDrop 0.25, against no LayerDrop: [+−]\d\.\d{3} ± \d\.\d{3} nats( \(within noise\))? at full depth, [+−]\d\.\d{3} ± \d\.\d{3} nats( \(within noise\))? pruned to 2: (level with it once pruned|ahead of it once pruned|still behind it when pruned)\.$/);
  assert.equal(new Set(result.models.map((m) => m.runId)).size, 4, 'each model is a run of its own');
  assert.deepEqual(JSON.parse(fs.readFileSync(result.file, 'utf8')).summary, result.summary);
  assert.equal(result.report, result.file.replace(/\.json$/, '.html'), 'the report lies beside the comparison');
  assert.match(fs.readFileSync(result.report!, 'utf8'), /<title>DepthLab comparison: tiny\.depthlab\.json<\/title>/);
});

test('with errors, the summary and the table say which differences are within noise', () => {
  const rows = (full: number, pruned: number, deltaStdErr: number) => [
    { ...row(2, full), stdErr: 0.01 },
    { ...row(1, pruned), stdErr: 0.01, deltaStdErr },
  ];
  const models: ComparedModel[] = [
    { key: 'layerdrop', label: 'LD', layers: 2, rate: 0.5, runId: 'a', full: { ...evaluation(2.0, [0, 1]), stdErr: 0.01 }, sweeps: { 'every-other': rows(2.0, 2.002, 0.002) } },
    { key: 'no-layerdrop', label: 'plain', layers: 2, rate: 0, runId: 'b', full: { ...evaluation(1.8, [0, 1]), stdErr: 0.01 }, sweeps: { 'every-other': rows(1.8, 2.1, 0.004) } },
    { key: 'scratch', label: 'small', layers: 1, rate: 0, runId: 'c', full: { ...evaluation(2.001, [0]), stdErr: 0.01 } },
  ];
  const summary = compareSummary(models, 1);
  assert.match(summary[0], /the LayerDrop model \+0\.002 ± 0\.002 nats \(within noise\) against its full depth, the model trained without LayerDrop \+0\.300 ± 0\.004 nats\./);
  assert.match(summary[2], /are within noise of each other \(\+0\.001 ± 0\.014 nats\)\.$/);
  const text = compareText({ models, target: 1, layers: 2, steps: 10, recommendedRate: 0.5, summary, file: 'c.json', configFile: 'x' } as unknown as CompareJobResult);
  const depthOne = text.split('\n').find((line) => /^\s+1\s/.test(line))!;
  assert.match(depthOne, /2\.0020 ± 0\.0100 ≈\s+2\.1000 ± 0\.0100\s+← small: 2\.0010 ± 0\.0100$/);
  assert.match(text, /≈ within noise of the same model at full depth/);

  // npm start puts the every-other table and the summary in docs/engine.md, between its markers.
  const excerpt = startExcerpt(text)!;
  assert.deepEqual(excerpt.slice(0, 2), ['every-other: validation loss at every depth, no finetuning', text.split('\n').find((line) => line.startsWith('depth '))]);
  assert.deepEqual(excerpt.slice(-summary.length - 1), ['...', ...summary]);
  const page = fs.readFileSync(path.join(__dirname, '..', 'docs', 'engine.md'), 'utf8');
  const updated = withExcerpt(page, 'heading', excerpt)!;
  assert.ok(updated.includes(['heading', '', '```text', ...excerpt, '```'].join('\n')), 'docs/engine.md has the block npm start rewrites');
  assert.equal(withExcerpt(updated, 'heading', excerpt), updated, 'rewriting the same run changes nothing');
});
