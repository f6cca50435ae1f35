import { MAX_AUTO_THREADS, resolveThreads, writeCalibration } from '../src/core/backend/threadCount';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { configFileName } from '../src/core/config/configFileName';
import { parseConfig } from '../src/core/config/loadConfig';
import { configJsonSchema } from '../src/core/config/jsonSchema';
import { starterConfig } from '../src/core/config/starterConfig';
import { withLayersToKeep } from '../src/core/layerLists/writeLayersToKeep';
import { ConfigError } from '../src/core/errors';

const FILE = path.join(process.cwd(), 'bad.depthlab.json');

function problemOf(text: string) {
  try {
    parseConfig(text, FILE);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.problems[0];
  }
  assert.fail('config was accepted');
}

test('defaults fill a minimal config', () => {
  const { config } = parseConfig('{}', FILE);
  assert.equal(config.task, 'language-model');
  assert.equal(config.model.layers, 6);
  assert.equal(config.layerdrop.schedule, 'uniform');
  assert.equal(config.layersToKeep, undefined);
});

test('an unknown key is reported at its line and column with the allowed keys', () => {
  const p = problemOf('{\n  // comment\n  "model": {\n    "layer": 4\n  }\n}');
  assert.equal(p.location.path, 'model.layer');
  assert.equal(p.location.line, 4);
  assert.equal(p.location.column, 5);
  assert.match(p.message, /unknown key "layer"; allowed: layers, dModel/);
});

test('a wrong type names the value and what is allowed', () => {
  const p = problemOf('{ "train": {\n "steps": "many" } }');
  assert.equal(p.location.path, 'train.steps');
  assert.equal(p.location.line, 2);
  assert.match(p.message, /"many" is a string; allowed: a number/);
});

test('heads must divide dModel', () => {
  const p = problemOf('{\n"model": { "dModel": 64,\n "heads": 5 } }');
  assert.equal(p.location.path, 'model.heads');
  assert.equal(p.location.line, 3);
  assert.match(p.message, /5 does not divide dModel 64; allowed: 1, 2, 4, 8, 16, 32, 64/);
});

test('layersToKeep out of range, duplicated or empty is rejected at the entry', () => {
  assert.match(problemOf('{ "model": {"layers": 4}, "layersToKeep": [0, 7] }').message, /layer 7 does not exist; allowed: 0..3/);
  const dup = problemOf('{ "model": {"layers": 4},\n "layersToKeep": [1, 1] }');
  assert.equal(dup.location.path, 'layersToKeep[1]');
  assert.equal(dup.location.line, 2);
  assert.match(dup.message, /listed twice/);
  assert.match(problemOf('{ "layersToKeep": [] }').message, /allowed: number of entries >= 1/);
});

test('layers < 1 and a rate outside [0, 1] are rejected', () => {
  assert.match(problemOf('{ "model": { "layers": 0 } }').message, /0; allowed: >= 1/);
  const rate = problemOf('{ "layerdrop": { "rate": 1.5 } }');
  assert.equal(rate.location.path, 'layerdrop.rate');
  assert.match(rate.message, /1.5; allowed: <= 1/);
});

test('an unknown enum value lists the allowed values', () => {
  assert.match(problemOf('{ "task": "translation" }').message, /"translation"; allowed: "language-model", "classification"/);
});

test('broken JSON is located', () => {
  const p = problemOf('{\n  "model": {\n    "layers": 4,,\n  }\n}');
  assert.equal(p.location.line, 3);
  assert.match(p.message, /invalid JSON/);
});

test('the starter config is valid and commented', () => {
  for (const task of ['language-model', 'classification'] as const) {
    const text = starterConfig(task);
    assert.match(text, /\/\/ /);
    assert.equal(parseConfig(text, FILE).config.task, task);
  }
});

test('the committed JSON Schema matches the config schema (run npm run schema after changing it)', () => {
  const committed = JSON.parse(fs.readFileSync(path.join(__dirname, '../schemas/depthlab.schema.json'), 'utf8'));
  assert.deepEqual(committed, JSON.parse(JSON.stringify(configJsonSchema())));
});

test('writing layersToKeep keeps comments and formatting, and refuses an invalid list', () => {
  const text = '{\n  // my model\n  "model": { "layers": 6 } // six\n}\n';
  const edited = withLayersToKeep(text, FILE, [0, 2, 4]);
  assert.match(edited, /\/\/ my model/);
  assert.match(edited, /\/\/ six/);
  assert.deepEqual(parseConfig(edited, FILE).config.layersToKeep, [0, 2, 4]);
  assert.deepEqual(parseConfig(withLayersToKeep(edited, FILE, [1, 3]), FILE).config.layersToKeep, [1, 3]);
  assert.throws(() => withLayersToKeep(text, FILE, [0, 9]), ConfigError);
});

test('a new config is named *.depthlab.json exactly once, whatever the save dialog appended', () => {
  for (const [typed, named] of [
    ['/w/model.depthlab.json', '/w/model.depthlab.json'],
    ['/w/model.depthlab.json.depthlab.json', '/w/model.depthlab.json'],
    ['/w/model.depthlab.json.json', '/w/model.depthlab.json'],
    ['/w/model', '/w/model.depthlab.json'],
    ['/w/model.json', '/w/model.depthlab.json'],
    ['/w/my.model.depthlab', '/w/my.model.depthlab.json'],
  ]) {
    assert.equal(configFileName(typed), named, typed);
  }
});

test('threads: auto by default, one per core up to 2 that divides the batch; a number must divide the batch', () => {
  process.env.DEPTHLAB_CALIBRATION = path.join(os.tmpdir(), `no-calibration-${process.pid}.json`);
  assert.equal(parseConfig('{}', FILE).config.train.threads, 'auto');
  assert.equal(resolveThreads({ threads: 'auto', batchSize: 16 }, 2), 2);
  assert.equal(resolveThreads({ threads: 'auto', batchSize: 16 }, 8), MAX_AUTO_THREADS, 'capped at what the bench measured to scale');
  assert.equal(resolveThreads({ threads: 'auto', batchSize: 15 }, 2), 1, 'an odd batch cannot be halved');
  assert.equal(resolveThreads({ threads: 'auto', batchSize: 16 }, 1), 1);
  assert.equal(resolveThreads({ threads: 3, batchSize: 15 }, 2), 3, 'a number is taken as it is');
  assert.equal(parseConfig('{ "train": { "threads": "auto", "batchSize": 15 } }', FILE).config.train.threads, 'auto');
  assert.match(problemOf('{ "train": { "threads": 3, "batchSize": 16 } }').message, /3 does not divide batchSize 16; allowed: 1, 2, 4, 8, 16/);
});

test('threads: auto takes one thread where the bench measured two training slower on this machine and backend, and only then', () => {
  process.env.DEPTHLAB_CALIBRATION = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-calibration-')), 'threads.json');
  writeCalibration('wasm', { training: 0.93, evaluation: 1.6 });
  assert.equal(resolveThreads({ threads: 'auto', batchSize: 16 }, 2, 'wasm'), 1);
  assert.equal(resolveThreads({ threads: 2, batchSize: 16 }, 2, 'wasm'), 2, 'a number is still taken as it is');
  assert.equal(resolveThreads({ threads: 'auto', batchSize: 16 }, 2, 'onnxruntime'), 2, "wasm's measurement says nothing of onnxruntime");
  writeCalibration('onnxruntime', { training: 0.9, evaluation: 1.2 });
  assert.equal(resolveThreads({ threads: 'auto', batchSize: 16 }, 2, 'onnxruntime'), 1);
  writeCalibration('wasm', { training: 1.45, evaluation: 1.7 });
  assert.equal(resolveThreads({ threads: 'auto', batchSize: 16 }, 2, 'wasm'), 2, 'measured again: faster now');
  assert.equal(resolveThreads({ threads: 'auto', batchSize: 16 }, 2, 'onnxruntime'), 1, "recalibrating wasm keeps onnxruntime's measurement");
  const file = JSON.parse(fs.readFileSync(process.env.DEPTHLAB_CALIBRATION, 'utf8'));
  fs.writeFileSync(process.env.DEPTHLAB_CALIBRATION, JSON.stringify({ ...file, machine: 'another CPU × 64' }));
  assert.equal(resolveThreads({ threads: 'auto', batchSize: 16 }, 2, 'onnxruntime'), 2, "another machine's measurement does not count here");
  // A file from before backends were told apart holds wasm's measurement.
  fs.writeFileSync(process.env.DEPTHLAB_CALIBRATION, JSON.stringify({ machine: file.machine, training: 0.8, evaluation: 1.5, measuredAt: '2026-11-23T00:00:00Z' }));
  assert.deepEqual([resolveThreads({ threads: 'auto', batchSize: 16 }, 2, 'wasm'), resolveThreads({ threads: 'auto', batchSize: 16 }, 2, 'onnxruntime')], [1, 2]);
});
