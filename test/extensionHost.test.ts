import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { configProblems } from '../src/core/config/configProblems';
import { explorerHtml } from '../src/extension/explorer/explorerHtml';
import { presetLayers } from '../webview/presets';
import type { LayerStatistics } from '../src/core/statistics/importance';

const ROOT = path.resolve(__dirname, '..');

test('the extension contributes exactly the eleven DepthLab commands the palette shows', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const hidden = new Set(manifest.contributes.menus.commandPalette.filter((m: { when: string }) => m.when === 'false').map((m: { command: string }) => m.command));
  const palette = manifest.contributes.commands.filter((c: { command: string }) => !hidden.has(c.command)).map((c: { category: string; title: string }) => `${c.category}: ${c.title}`);
  assert.deepEqual(palette, [
    'DepthLab: New Config',
    'DepthLab: Train with LayerDrop',
    'DepthLab: Open Depth Explorer',
    'DepthLab: Evaluate All Depths',
    'DepthLab: Compare With and Without LayerDrop',
    'DepthLab: Prune to N Layers…',
    'DepthLab: Export Pruned Model',
    'DepthLab: Explore Depth of a Model (Hugging Face)…',
    'DepthLab: Export Pruned Model (Hugging Face)…',
    'DepthLab: Cancel Running Job',
    'DepthLab: Show Log',
  ]);
  const trusted = manifest.contributes.commands.filter((c: { enablement?: string }) => c.enablement === 'isWorkspaceTrusted').map((c: { command: string }) => c.command);
  assert.deepEqual(trusted, ['depthlab.train', 'depthlab.evaluateAllDepths', 'depthlab.compare', 'depthlab.pruneToN', 'depthlab.exportPruned', 'depthlab.analyzeModel', 'depthlab.exportModel']);
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.equal(manifest.capabilities.virtualWorkspaces.supported, false);
  const handlers = ['registerCommands.ts', 'modelCommands.ts'].map((file) => fs.readFileSync(path.join(ROOT, 'src/extension/commands', file), 'utf8')).join('\n');
  for (const registered of manifest.contributes.commands.map((c: { command: string }) => c.command)) {
    assert.match(handlers, new RegExp(`register\\('${registered}'`), `${registered} has a handler`);
  }
});

test('activation stays cheap: the extension host bundle holds no TensorFlow.js, the worker bundle does', () => {
  const host = fs.readFileSync(path.join(ROOT, 'dist/extension.js'), 'utf8');
  const worker = fs.readFileSync(path.join(ROOT, 'dist/worker.js'), 'utf8');
  assert.ok(worker.includes('tfjs-backend-wasm'));
  for (const marker of ['tfjs-backend-wasm', 'registerKernel', 'tfjs-core']) assert.ok(!host.includes(marker), `host bundle contains ${marker}`);
  assert.ok(fs.existsSync(path.join(ROOT, 'dist/wasm/tfjs-backend-wasm.wasm')), 'wasm binaries beside the worker');
  assert.ok(fs.existsSync(path.join(ROOT, 'dist/webview/explorer.js')));
});

test('the Depth Explorer page: strict CSP with a nonce, scripts only from the extension', () => {
  const html = explorerHtml({ cspSource: 'https://ext.vscode-cdn.net', scriptUri: 'https://ext.vscode-cdn.net/dist/webview/explorer.js', styleUri: 'https://ext.vscode-cdn.net/media/explorer.css', nonce: 'abc123' });
  const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abc123'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline|\*/);
  const scripts = [...html.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
  assert.equal(scripts.length, 1);
  assert.match(scripts[0], /nonce="abc123"/);
  assert.match(scripts[0], /src="https:\/\/ext\.vscode-cdn\.net\//);
  assert.doesNotMatch(html, /style="/, 'no inline styles');
});

test('layer picker presets: every other, top-k by the chosen metric, the sweep\'s choice, all', () => {
  const layer = (l: number, lossIncrease: number, blockInfluence: number) =>
    ({ layer: l, configuredRate: 0.5, empiricalRate: 0.5, timesDropped: 0, meanGradNorm: 0, lossIncrease, blockInfluence, weightL1: 1 }) as LayerStatistics;
  const snapshot = {
    importance: { fullLoss: 1, layers: [layer(0, 0.9, 0.1), layer(1, 0.1, 0.8), layer(2, 0.5, 0.7), layer(3, 0.2, 0.05)] },
    sweep: { strategy: 'search-on-valid' as const, target: 2, keep: [0, 2], rows: [{ depth: 2, layers: [0, 3], loss: 1, msPerBatch: 1 }] },
  };
  const context = { layers: 4, target: 2, metric: 'loss-increase' as const, snapshot };
  assert.deepEqual(presetLayers('every-other', context), [0, 2]);
  assert.deepEqual(presetLayers('top-k', context), [0, 2]);
  assert.deepEqual(presetLayers('top-k', { ...context, metric: 'block-influence' }), [1, 2]);
  assert.deepEqual(presetLayers('sweep', context), [0, 3]);
  assert.deepEqual(presetLayers('all', context), [0, 1, 2, 3]);
  assert.equal(presetLayers('top-k', { ...context, snapshot: undefined }), undefined, 'no importance measured yet');
  assert.equal(presetLayers('sweep', { ...context, target: 3 }), undefined);
});

test('config diagnostics: semantic problems on the offending value; schema problems left to the JSON language service', () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'depthlab-diag-'));
  const file = path.join(dir, 'm.depthlab.json');
  const text = '{\n  "data": { "train": "missing.txt" },\n  "model": { "layers": 4, "dModel": 30, "heads": 4 },\n  "layersToKeep": [0, 2, 2, 7]\n}\n';
  const semantic = configProblems(text, file).filter((p) => p.semantic);
  const at = (p: (typeof semantic)[number]) => text.slice(p.location.offset, p.location.offset + p.location.length);
  assert.deepEqual(
    semantic.map((p) => [p.location.path, at(p)]),
    [
      ['model.heads', '4'],
      ['layersToKeep[2]', '2'],
      ['layersToKeep[3]', '7'],
    ],
  );
  const fixed = text.replace('"dModel": 30', '"dModel": 32').replace('[0, 2, 2, 7]', '[0, 2]');
  const missing = configProblems(fixed, file);
  assert.deepEqual(missing.map((p) => [p.location.path, at(p), p.semantic]), [['data.train', '"missing.txt"', true]]);
  fs.writeFileSync(path.join(dir, 'missing.txt'), 'now here');
  assert.deepEqual(configProblems(fixed, file), []);
  const schemaOnly = configProblems('{ "model": { "layers": "six" } }', file);
  assert.ok(schemaOnly.length > 0 && schemaOnly.every((p) => !p.semantic));
});
