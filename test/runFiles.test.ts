import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyzeJob } from '../src/core/jobs/analyzeJob';
import { exportJob } from '../src/core/jobs/exportJob';
import { pruneJob } from '../src/core/jobs/pruneJob';
import { readRun } from '../src/core/run/runFiles';
import { runPaths } from '../src/core/run/runPaths';
import { runSnapshot } from '../src/core/run/runSnapshot';
import { findRun, listRuns } from '../src/core/run/runStore';
import { useWasm, workspace } from './helpers';

const FIXTURE = path.resolve(__dirname, 'fixtures/release-0.1-run');
const RUN_ID = '2026-11-23T02-47-17-575-tiny';

/** A writable copy of the run release 0.1 wrote (its config, data and .depthlab/runs). */
function fixtureCopy(): { dir: string; configFile: string } {
  const dir = workspace();
  fs.cpSync(FIXTURE, dir, { recursive: true });
  return { dir, configFile: path.join(dir, 'tiny.depthlab.json') };
}

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-5, `${what}: ${actual} vs ${expected}`);

test('a run written by release 0.1: every file reads and validates, and measuring it again gives the same numbers', async () => {
  await useWasm();
  const { configFile } = fixtureCopy();
  const old = readRun(findRun(configFile));
  assert.equal(old.paths.id, RUN_ID);
  assert.deepEqual([old.record.status, old.record.step, old.record.steps], ['completed', 8, 8]);
  assert.equal(old.configFile, configFile);
  assert.equal(old.config.model.layers, 4);
  assert.equal(old.statistics?.layers.length, 4);
  assert.ok(old.analysis, 'sweep.json');

  const snapshot = runSnapshot(old.paths);
  assert.equal(snapshot.trainLoss.length, 8);
  assert.deepEqual(snapshot.sweep?.keep, [0, 3]);

  // Release 0.1's "every-other" is today's spread.
  const { analysis } = await analyzeJob({ configFile, strategy: 'spread' }, {});
  close(analysis.fullLoss, old.analysis.fullLoss, 'full loss');
  analysis.statistics.forEach((layer, l) => {
    const before = old.analysis!.statistics[l];
    close(layer.lossIncrease!, before.lossIncrease!, `layer ${l} loss increase`);
    close(layer.blockInfluence, before.blockInfluence, `layer ${l} block influence`);
    assert.equal(layer.weightL1, before.weightL1);
    // Release 0.1 measured no errors; today's measurement adds the loss increase's paired error.
    const { lossIncreaseStdErr, ...measured } = layer;
    assert.ok(lossIncreaseStdErr! > 0);
    assert.deepEqual({ ...measured, lossIncrease: 0, blockInfluence: 0 }, { ...before, lossIncrease: 0, blockInfluence: 0 });
  });
  assert.deepEqual(analysis.sweep.map((row) => row.layers), old.analysis.sweep.map((row) => row.layers));
  analysis.sweep.forEach((row, i) => close(row.loss, old.analysis!.sweep[i].loss, `depth ${row.depth}`));
  assert.deepEqual(analysis.keep, old.analysis.keep);

  const expected = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'expected-prune.json'), 'utf8'));
  const pruned = await pruneJob({ configFile, runId: RUN_ID, layers: [2, 0] }, {});
  assert.deepEqual(pruned.keep, expected.keep);
  close(pruned.full.loss, expected.full.loss, 'prune: full');
  close(pruned.pruned.loss, expected.pruned.loss, 'prune: kept 0,2');
  assert.deepEqual([pruned.fairseq, pruned.huggingFace], [expected.fairseq, expected.huggingFace]);
});

test('a corrupt run is an error for that run only, naming the file and field', async () => {
  await useWasm();
  const { dir, configFile } = fixtureCopy();
  const runs = path.join(dir, '.depthlab', 'runs');
  // An older run with a broken run.json and a newer one with a bad statistics.json.
  const older = path.join(runs, '2026-01-01T00-00-00-000-tiny');
  fs.mkdirSync(older);
  fs.writeFileSync(path.join(older, 'run.json'), '{"id": "x", "configFile": "tiny.depthlab.json", "status": "runn');
  assert.deepEqual(listRuns(configFile).map((r) => r.id), [RUN_ID], 'the corrupt run is left out of the list');
  assert.equal(findRun(configFile).id, RUN_ID, 'and does not block the newest');
  assert.throws(() => findRun(configFile, '2026-01-01T00-00-00-000-tiny'), /run 2026-01-01T00-00-00-000-tiny: run\.json is not valid JSON/);

  const good = runPaths(path.join(runs, RUN_ID));
  const statistics = JSON.parse(fs.readFileSync(good.statistics, 'utf8'));
  statistics.layers[2].timesDropped = 'four';
  fs.writeFileSync(good.statistics, JSON.stringify(statistics));
  assert.throws(() => readRun(good), /run 2026-11-23T02-47-17-575-tiny: statistics\.json layers\[2\]\.timesDropped: .*number/);
  await assert.rejects(pruneJob({ configFile, layers: [0, 1] }, {}), /statistics\.json layers\[2\]\.timesDropped/);
});

test('layer lists are accepted in any order everywhere; repeats and missing layers are refused', async () => {
  await useWasm();
  const { configFile } = fixtureCopy();
  const exported = await exportJob({ configFile, layers: [3, 1] }, {});
  assert.deepEqual(exported.keep, [1, 3]);
  assert.ok(exported.dir.endsWith('keep-1-3'));
  await assert.rejects(exportJob({ configFile, layers: [1, 1] }, {}), /layer 1 is listed twice/);
  await assert.rejects(pruneJob({ configFile, layers: [0, 4] }, {}), /layer 4 does not exist; allowed: 0\.\.3/);
  await assert.rejects(pruneJob({ configFile, target: 9 }, {}), /allowed: 1\.\.4/);
});
