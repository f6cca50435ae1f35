import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { selectBackend } from '../src/core/backend/selectBackend';
import { keptSize, modelSize } from '../src/core/evaluate/cutCost';
import { depthSweep } from '../src/core/evaluate/depthSweep';
import { openPretrained } from '../src/core/huggingface/openPretrained';
import { openWeights } from '../src/core/huggingface/weightFiles';
import { exportModelJob } from '../src/core/jobs/exportModelJob';
import type { Batch } from '../src/core/data/batch';
import { everyOther } from '../src/core/prune/everyOther';
import { depthTable } from '../src/core/report/depthTable';

const FIXTURES = path.join(__dirname, 'fixtures', 'huggingface');

test('what the cut buys: parameters and bytes per depth add up to the files, and the export says so', async () => {
  await selectBackend('wasm');
  const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-cut-')), 'llama');
  fs.cpSync(path.join(FIXTURES, 'llama'), folder, { recursive: true });
  const { model } = openPretrained(folder, 'wasm');
  const files = openWeights(folder);
  const entries = [...files.entries.values()];
  const total = entries.reduce((sum, e) => sum + e.shape.reduce((a, b) => a * b, 1), 0);
  const size = modelSize(model);
  assert.equal(keptSize(size, [0, 1, 2, 3]).parameters, total, 'all layers: every parameter in the files');
  assert.equal(keptSize(size, [0, 1, 2, 3]).weightBytes, entries.reduce((sum, e) => sum + e.end - e.begin, 0));
  const layerZero = entries.filter((e) => e.name.startsWith('model.layers.0.')).reduce((sum, e) => sum + e.shape.reduce((a, b) => a * b, 1), 0);
  assert.equal(keptSize(size, []).parameters + layerZero, keptSize(size, [0]).parameters);

  const ids = Int32Array.from([1, 40, 41, 42, 43, 7, 9, 11]);
  const batches: Batch[] = [0, 1].map((shift) => ({ size: 1, length: 6, inputs: ids.slice(shift, shift + 6), targets: ids.slice(shift + 1, shift + 7) }));
  const rows = depthSweep(model, batches, (r) => everyOther(4, r));
  model.dispose();
  for (const row of rows) {
    assert.equal(row.parameters, keptSize(size, row.layers).parameters);
    assert.ok(row.tokensPerSecond! > 0 && Math.abs(row.tokensPerSecond! - 6000 / row.msPerBatch) < 1e-6 * row.tokensPerSecond!);
  }
  assert.match(depthTable('language-model', rows).split('\n')[0], /ms\/batch  params  weights\s+tok\/s/);

  const { out } = await exportModelJob({ folder, layers: [0, 2], tokens: 512, window: 32 }, { backend: 'wasm' });
  assert.match(fs.readFileSync(path.join(out, 'README.md'), 'utf8'), /^- What the cut buys: parameters 74\.0k → 55\.5k \(−25%\), weight memory 296 kB → 222 kB; a forward pass ran at [\d,]+ → [\d,]+ tokens\/s \([\d.]+×\) on this machine's wasm backend/m);
});
