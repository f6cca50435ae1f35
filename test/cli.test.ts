import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../src/core/config/loadConfig';
import { readSafetensors, writeSafetensors } from '../src/core/checkpoint/safetensors';
import { TEXT, workspace } from './helpers';
import { requireCheckpoint } from '../src/core/run/checkpointFiles';
import { runPaths } from '../src/core/run/runPaths';

// The built bundle, as a user runs it (npm test builds first).
const CLI = path.join(__dirname, '../dist/cli.js');

function depthlab(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('CLI end to end: init, run, prune --write, export', () => {
  const dir = workspace();
  fs.writeFileSync(path.join(dir, 'text.txt'), TEXT);
  assert.equal(depthlab(dir, 'init', 'tiny.depthlab.json').code, 0);
  const file = path.join(dir, 'tiny.depthlab.json');
  // Shrink the starter config, keeping its comments.
  const text = fs
    .readFileSync(file, 'utf8')
    .replace('// "train": "data/train.txt",', '"train": "text.txt",')
    .replace('"dModel": 64', '"dModel": 16')
    .replace('"ffn": 256', '"ffn": 32')
    .replace('"seqLen": 64', '"seqLen": 16')
    .replace('"steps": 200', '"steps": 6')
    .replace('"batchSize": 16', '"batchSize": 4')
    .replace('"evalEvery": 100', '"evalEvery": 3')
    .replace('"checkpointEvery": 100', '"checkpointEvery": 3');
  fs.writeFileSync(file, text);

  const run = depthlab(dir, '--backend', 'wasm', 'run', 'tiny.depthlab.json');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /depth\s+layers kept\s+valid loss\s+ppl/);
  assert.match(run.stdout, /layers by every-other for 3 of 6: 0,2,4/);
  assert.match(run.stdout, /p\* = 1 - 3\/6 = 0.50/);
  assert.match(run.stdout, /--decoder-layers-to-keep 0,2,4/);

  // The flag before the config: --resume takes no run id here.
  const finished = depthlab(dir, 'train', '--resume', 'tiny.depthlab.json');
  assert.equal(finished.code, 2, finished.stderr);
  assert.match(finished.stderr, /is already at step 6 of 6; to continue it, raise train\.steps in/);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"steps": 6', '"steps": 8'));
  const extended = depthlab(dir, '--backend', 'wasm', 'train', '--resume', 'tiny.depthlab.json');
  assert.equal(extended.code, 0, extended.stderr);
  assert.match(extended.stdout, /continuing run .* to step 8 \(train\.steps was 6\)/);
  assert.match(extended.stdout, /completed at step 8/);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"steps": 8', '"steps": 6'));
  const bare = depthlab(dir, 'train');
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /train: missing the config file, e\.g\. npx depthlab train model\.depthlab\.json/);

  const prune = depthlab(dir, '--json', 'prune', 'tiny.depthlab.json', '--layers', '4,0,2', '--write');
  assert.equal(prune.code, 0, prune.stderr);
  const result = JSON.parse(prune.stdout.trim().split('\n').pop()!);
  assert.deepEqual(result.keep, [0, 2, 4]);
  assert.ok(result.pruned.loss > 0 && result.full.loss > 0);
  const written = fs.readFileSync(file, 'utf8');
  assert.match(written, /\/\/ Each layer is skipped whole/, 'comments survive the write');
  assert.deepEqual(parseConfig(written, file).config.layersToKeep, [0, 2, 4]);

  const exported = depthlab(dir, '--json', 'export', 'tiny.depthlab.json', '--out', 'pruned');
  assert.equal(exported.code, 0, exported.stderr);
  const checkpoint = readSafetensors(path.join(dir, 'pruned', 'model.safetensors'));
  assert.ok(checkpoint.tensors.has('layers.2.ln1.weight'));
  assert.ok(!checkpoint.tensors.has('layers.3.ln1.weight'));
  assert.equal(JSON.parse(checkpoint.metadata.config).model.layers, 3);
  const exportedConfig = path.join(dir, 'pruned', 'tiny-keep-0-2-4.depthlab.json');
  assert.equal(JSON.parse(exported.stdout.trim().split('\n').pop()!).config, exportedConfig, 'named *.depthlab.json, so the editor applies its schema');
  const reloaded = parseConfig(fs.readFileSync(exportedConfig, 'utf8'), exportedConfig).config;
  assert.deepEqual([reloaded.name, reloaded.model.layers], ['tiny-keep-0-2-4', 3]);
});

test('CLI user errors: one line on stderr, exit code 2, no stack trace', () => {
  const dir = workspace();
  fs.writeFileSync(path.join(dir, 'bad.depthlab.json'), '{\n  "model": { "heads": 3 }\n}\n');
  const bad = depthlab(dir, 'train', 'bad.depthlab.json');
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /^depthlab: error: bad.depthlab.json:2:23 model.heads: 3 does not divide dModel 64/);
  assert.doesNotMatch(bad.stderr, /at \w+ \(/);
  const missing = depthlab(dir, 'sweep', 'nothing.depthlab.json');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /config file not found/);
  assert.equal(depthlab(dir, 'train', 'bad.depthlab.json', '--no-such-flag').code, 2);
  // An empty layer list is not "no list": every command that takes --layers refuses it, before touching anything.
  const model = path.join(__dirname, 'fixtures', 'huggingface', 'gpt2');
  for (const [command, ...rest] of [['export', model, '--out', path.join(dir, 'out')], ['prune', 'bad.depthlab.json'], ['heal', 'bad.depthlab.json']]) {
    for (const empty of ['', ' , ,']) {
      const refused = depthlab(dir, command, ...rest, '--layers', empty);
      assert.equal(refused.code, 2, `${command} --layers "${empty}"`);
      assert.match(refused.stderr, /--layers needs at least one layer; allowed: comma-separated layer indices from 0/);
    }
  }
  assert.ok(!fs.existsSync(path.join(dir, 'out')));
  // Bytes that are not text: one line naming the file and what was found; nothing measured or written.
  fs.writeFileSync(path.join(dir, 'random.bin'), Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919 + (i >> 8)) % 256)));
  const binary = depthlab(dir, 'analyze', model, '--data', 'random.bin');
  assert.equal(binary.code, 2, binary.stderr);
  assert.match(binary.stderr, /^depthlab: error: \S+random\.bin \(--data\) is not a text file \([\d,]+ NUL bytes and [\d,]+ of [\d,]+ characters not UTF-8\); allowed: UTF-8 text\n$/);
  assert.ok(!fs.existsSync(path.join(model, '.depthlab')));
});

test('Ctrl-C during training stops cleanly: exit 130, final checkpoint, flushed metrics, run marked cancelled', async () => {
  const dir = workspace();
  fs.writeFileSync(path.join(dir, 'text.txt'), TEXT);
  const config = {
    data: { train: 'text.txt' },
    model: { layers: 2, dModel: 16, heads: 2, ffn: 32, seqLen: 16 },
    train: { steps: 100000, batchSize: 4, evalEvery: 0, checkpointEvery: 0, backend: 'wasm' },
  };
  fs.writeFileSync(path.join(dir, 'long.depthlab.json'), JSON.stringify(config));
  const child = spawn(process.execPath, [CLI, '--json', 'train', 'long.depthlab.json'], { cwd: dir });
  let output = '';
  let interrupted = false;
  const code = await new Promise<number | null>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // Once only: a second Ctrl-C means "quit now, skip the checkpoint".
      if (!interrupted && output.includes('"step":3,')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.on('exit', resolve);
  });
  assert.equal(code, 130);
  const runDir = JSON.parse(output.split('\n').find((line) => line.includes('"run-start"'))!).runDir;
  const record = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
  assert.equal(record.status, 'cancelled');
  assert.ok(record.step >= 3);
  const logged = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(logged[logged.length - 1].step, record.step, 'every step up to the checkpoint is in metrics.jsonl');
  const checkpoint = readSafetensors(requireCheckpoint(runPaths(runDir)).model);
  assert.equal(Number(checkpoint.metadata.step), record.step);
  const statistics = JSON.parse(fs.readFileSync(path.join(runDir, 'statistics.json'), 'utf8'));
  assert.equal(statistics.layers.length, 2);
  assert.equal(statistics.layers[0].configuredRate, 0.2);
});

test('init: creates missing folders, refuses a folder or an existing file, and says how to run the next step from here', () => {
  const dir = workspace();
  const made = depthlab(dir, 'init', 'new/dir/my.depthlab.json');
  assert.equal(made.code, 0, made.stderr);
  assert.ok(fs.existsSync(path.join(dir, 'new', 'dir', 'my.depthlab.json')));
  // The test's PATH has no depthlab on it, as in a fresh clone.
  assert.match(made.stdout, /next: npx depthlab run new\/dir\/my\.depthlab\.json/);
  const again = depthlab(dir, 'init', 'new/dir/my.depthlab.json');
  assert.equal(again.code, 2);
  assert.match(again.stderr, /new\/dir\/my\.depthlab\.json already exists; choose another name/);
  const folder = depthlab(dir, 'init', 'new');
  assert.equal(folder.code, 2);
  assert.match(folder.stderr, /new already exists and is a folder/);
});

test('wrong kinds of input: a BOM is ignored; a folder where a file belongs, a damaged checkpoint and an --out that is a file are one line each, exit 2', () => {
  const dir = workspace();
  fs.writeFileSync(path.join(dir, 'text.txt'), TEXT);
  const config = { data: { train: 'text.txt' }, model: { layers: 2, dModel: 16, heads: 2, ffn: 32, seqLen: 16 }, train: { steps: 2, batchSize: 4, evalBatches: 1, backend: 'wasm' } };
  fs.writeFileSync(path.join(dir, 'bom.depthlab.json'), `\uFEFF${JSON.stringify(config, null, 2)}`);
  const trained = depthlab(dir, 'train', 'bom.depthlab.json');
  assert.equal(trained.code, 0, trained.stderr);

  const oneLine = (result: { code: number | null; stderr: string }, pattern: RegExp) => {
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, pattern);
  };
  fs.mkdirSync(path.join(dir, 'folder.depthlab.json'));
  oneLine(depthlab(dir, 'train', 'folder.depthlab.json'), /folder\.depthlab\.json is a folder; allowed: a config file/);
  fs.writeFileSync(path.join(dir, 'data-folder.depthlab.json'), JSON.stringify({ ...config, data: { train: 'runs-of-text' } }));
  fs.mkdirSync(path.join(dir, 'runs-of-text'));
  oneLine(depthlab(dir, 'train', 'data-folder.depthlab.json'), /data\.train: .*runs-of-text is a folder; allowed: a data file/);

  fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
  oneLine(depthlab(dir, 'export', 'bom.depthlab.json', '--out', 'notes.txt'), /notes\.txt is a file; allowed for --out: a folder/);
  assert.equal(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8'), 'mine');

  const run = runPaths(path.join(dir, '.depthlab', 'runs', fs.readdirSync(path.join(dir, '.depthlab', 'runs'))[0]));
  const { model } = requireCheckpoint(run);
  const checkpoint = readSafetensors(model);
  writeSafetensors(model, { tensors: checkpoint.tensors, metadata: { ...checkpoint.metadata, config: '{ not json' } });
  for (const args of [['sweep', 'bom.depthlab.json'], ['export', 'bom.depthlab.json'], ['train', '--resume', 'bom.depthlab.json']]) {
    oneLine(depthlab(dir, ...args), /model\.safetensors: its metadata "config" is not JSON; the file is damaged/);
  }
});

test('shapes too big are refused at once: past the schema bounds with what is allowed, and a model that cannot fit with the memory it needs', () => {
  const dir = workspace();
  fs.writeFileSync(path.join(dir, 'text.txt'), TEXT);
  const write = (name: string, model: Record<string, number>) =>
    fs.writeFileSync(path.join(dir, name), JSON.stringify({ data: { train: 'text.txt' }, model, train: { steps: 2, batchSize: 4, backend: 'wasm' } }));
  write('deep.depthlab.json', { layers: 10000, dModel: 16, heads: 2 });
  const deep = depthlab(dir, 'train', 'deep.depthlab.json');
  assert.equal(deep.code, 2, deep.stderr);
  assert.match(deep.stderr, /model\.layers: 10000; allowed: <= 512/);
  write('wide.depthlab.json', { dModel: 2000000000, heads: 3 });
  const wide = depthlab(dir, 'train', 'wide.depthlab.json');
  assert.equal(wide.code, 2, wide.stderr);
  assert.match(wide.stderr, /model\.dModel: 2000000000; allowed: <= 16384/);
  write('big.depthlab.json', { layers: 512, dModel: 4096, heads: 8, ffn: 16384, seqLen: 64 });
  const big = depthlab(dir, 'train', 'big.depthlab.json');
  assert.equal(big.code, 2, big.stderr);
  assert.match(big.stderr, /a model of \d+\.\dM parameters at batch 4 needs about \d+\.\d GB to train; the wasm backend holds about 4\.0 GB/);
  assert.equal(fs.existsSync(path.join(dir, '.depthlab')), false, 'nothing written');
});

test('kill -9 at any moment while checkpointing every step: the run always resumes from its newest complete checkpoint', async () => {
  const dir = workspace();
  fs.writeFileSync(path.join(dir, 'text.txt'), TEXT);
  const config = {
    data: { train: 'text.txt' },
    model: { layers: 2, dModel: 16, heads: 2, ffn: 32, seqLen: 16 },
    train: { steps: 100000, batchSize: 4, evalEvery: 0, checkpointEvery: 1, backend: 'wasm' },
  };
  fs.writeFileSync(path.join(dir, 'kill.depthlab.json'), JSON.stringify(config));
  // Kills land 0–40 ms after a checkpoint event: mid-way through the next step's write as often as not.
  const delays = [0, 3, 7, 12, 20, 40];
  let runDir = '';
  for (const [round, delay] of delays.entries()) {
    const args = round === 0 ? ['--json', 'train', 'kill.depthlab.json'] : ['--json', 'train', '--resume', 'kill.depthlab.json'];
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir });
    let output = '';
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      let checkpoints = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        checkpoints = output.split('"type":"checkpoint"').length - 1;
        if (checkpoints >= 3 && !child.killed) setTimeout(() => child.kill('SIGKILL'), delay);
      });
      child.on('exit', (exitCode) => resolve(exitCode));
    });
    assert.notEqual(code, 2, `round ${round}: ${errors}`);
    const start = JSON.parse(output.split('\n').find((line) => line.includes('"run-start"'))!);
    runDir = start.runDir;
    if (round > 0) assert.ok(start.startStep > 0, `round ${round} resumed from step ${start.startStep}`);
  }
  const left = fs.readdirSync(path.join(runDir, 'checkpoints'));
  assert.ok(left.includes('latest.json'));
  assert.ok(left.filter((name) => name.startsWith('step-')).length <= 2, left.join(', '));
});
