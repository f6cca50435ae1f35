import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURE_FAMILIES, PYTHON, pythonMissing, workspace } from './helpers';

const FIXTURES = path.join(__dirname, 'fixtures', 'huggingface');
const CLI = path.join(__dirname, '../dist/cli.js');

test("every family's exported heal/heal.py runs two steps with real PEFT and adapts exactly its layers' linear maps", { skip: pythonMissing(['torch', 'transformers', 'peft']) }, () => {
  const dir = workspace();
  fs.writeFileSync(path.join(dir, 'text.txt'), fs.readFileSync(path.join(__dirname, '..', 'dist', 'data', 'moby-dick.txt'), 'utf8').slice(0, 20_000));
  const exports = FIXTURE_FAMILIES.map((family) => {
    fs.cpSync(path.join(FIXTURES, family), path.join(dir, family), { recursive: true });
    const out = path.join(dir, `${family}-pruned`);
    const exported = spawnSync(process.execPath, [CLI, '--backend', 'wasm', 'export', family, '--layers', '0,2', '--data', 'text.txt', '--tokens', '256', '--window', '32', '--out', out], { cwd: dir, encoding: 'utf8' });
    assert.equal(exported.status, 0, exported.stderr);
    return out;
  });
  const run = spawnSync(PYTHON, [path.join(__dirname, 'python', 'loraAdapted.py'), path.join(dir, 'text.txt'), ...exports], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  assert.equal(run.status, 0, run.stderr.slice(-3000));
  const results = run.stdout.split('\n').filter((line) => line.startsWith('lora-adapted ')).map((line) => JSON.parse(line.slice('lora-adapted '.length)) as { folder: string; adapted: string[]; linear: string[] });
  assert.deepEqual(results.map((result) => path.basename(result.folder)), FIXTURE_FAMILIES.map((family) => `${family}-pruned`));
  for (const { folder, adapted, linear } of results) {
    assert.ok(linear.length >= 8, `${folder}: two layers of at least four linear maps (${linear.join(', ')})`);
    assert.deepEqual(adapted, linear, `${path.basename(folder)}: LoRA adapts every linear map of every layer, and nothing else`);
  }
});
