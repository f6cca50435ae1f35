import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { measureDepth } from '../src/core/analysis/depthMeasurements';
import { selectBackend } from '../src/core/backend/selectBackend';
import { textBatches } from '../src/core/data/textBatches';
import { openPretrained } from '../src/core/huggingface/openPretrained';
import { openOnTorch } from '../src/core/huggingface/torchPretrained';
import { openTasks } from '../src/core/tasks/openTasks';
import { estimatedLayerStatistics } from '../src/core/statistics/lossEstimates';
import { assertSameResults } from './backendParity';
import { FIXTURE_FAMILIES, PYTHON, pythonMissing, workspace } from './helpers';

const FIXTURES = path.join(__dirname, 'fixtures', 'huggingface');
const CLI = path.join(__dirname, '../dist/cli.js');
const MOBY_DICK = path.join(__dirname, '..', 'dist', 'data', 'moby-dick.txt');
const skip = pythonMissing(['torch', 'transformers', 'accelerate']);
const depthlab = (cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
const jsonEvents = (stdout: string) => stdout.trim().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { type: string; [key: string]: unknown });
const copyOf = (family: string, dir = workspace()) => {
  fs.cpSync(path.join(FIXTURES, family), path.join(dir, family), { recursive: true });
  return dir;
};
/** Every number of an analysis but its timings and where it ran. */
const measured = (analysis: object) => JSON.parse(JSON.stringify(analysis, (key, value) => (/ms|seconds|perSecond|At$|date|backend|device|folder|file/i.test(key) ? undefined : value)));

for (const family of FIXTURE_FAMILIES) {
  test(`torch: ${family} measured by transformers equals DepthLab's own engine to 1e-4 (perplexity, loss increases and their first-order estimates, Block Influence, angular distances, a sweep with task accuracy, attention and MLP apart)`, { skip }, async () => {
    await selectBackend('wasm');
    const folder = path.join(FIXTURES, family);
    const native = openPretrained(folder, 'wasm');
    const torch = openOnTorch(folder);
    try {
      const batches = textBatches(fs.readFileSync(MOBY_DICK, 'utf8').slice(0, 20_000), native.tokenizer, native.model.objective, { tokens: 256, window: 32, batchSize: 4, seed: 1 });
      const decoder = native.model.objective === 'causal-lm';
      const dir = workspace();
      fs.writeFileSync(path.join(dir, 'cloze.jsonl'), fs.readFileSync(path.join(__dirname, '..', 'dist', 'data', 'moby-dick-cloze.jsonl'), 'utf8').split('\n').slice(0, 8).join('\n'));
      const tasks = decoder ? await openTasks(['cloze.jsonl'], dir, native.tokenizer, 32) : [];
      const context = { strategies: ['every-other' as const], tasks, sublayers: !native.model.partsInseparable, searchWidth: 2 };
      const expected = measureDepth(native.model, batches, {}, context);
      const actual = measureDepth(torch.model, batches, {}, context);
      assert.equal(torch.model.partsInseparable === undefined, native.model.partsInseparable === undefined, 'both engines can (or cannot) leave one block out');
      assertSameResults(actual, expected, 1e-4);
      if (decoder) assert.ok(expected.sweeps['every-other']!.some((row) => row.tasks?.length), 'the sweep scored the task');
      if (context.sublayers) assert.equal(actual.parts?.length, native.model.layers);
      // The estimates pass: transformers' autograd going back a layer at a time, against DepthLab's TF.js gradients.
      const [torchEstimates, nativeEstimates] = [torch.model, native.model].map((model) => estimatedLayerStatistics(model, batches));
      assertSameResults(torchEstimates, nativeEstimates, 1e-4);
      assert.ok(nativeEstimates.layers.some((layer) => Math.abs(layer.lossIncreaseEstimate!) > 1e-3), 'the estimates are not all zero');
    } finally {
      native.model.dispose();
      torch.model.dispose();
    }
  });
}

test('torch: the CLI names the Python, torch and transformers first, and a native family exports the same files as on wasm', { skip }, () => {
  const dir = copyOf('llama');
  const analyzed = depthlab(dir, ['--backend', 'torch', '--json', 'analyze', 'llama', '--tokens', '128', '--window', '16']);
  assert.equal(analyzed.status, 0, analyzed.stderr);
  const backend = jsonEvents(analyzed.stdout)[0];
  assert.equal(backend.type, 'backend');
  assert.equal(backend.backend, 'torch');
  assert.match(String(backend.device), /^Python 3\.\d+\.\d+ at .+, torch \d+\.\d+\.\d+.*, transformers \d+\.\d+\.\d+.*: CPU \(no GPU\)$/);
  const exports = ['torch', 'wasm'].map((engine) => {
    const out = path.join(dir, `on-${engine}`);
    const run = depthlab(dir, ['--backend', engine, 'export', 'llama', '--layers', '0,2', '--tokens', '128', '--window', '16', '--out', out]);
    assert.equal(run.status, 0, run.stderr);
    return out;
  });
  for (const name of ['model.safetensors', 'config.json', 'heal/lora_config.json']) {
    assert.deepEqual(fs.readFileSync(path.join(exports[0], name)), fs.readFileSync(path.join(exports[1], name)), `${name}: the same bytes from either engine`);
  }
});

for (const kind of ['qwen3_moe', 'granite']) {
  test(`torch: a ${kind} model (an architecture DepthLab does not compute) is analysed and exported, and the export loads with its sub-network's logits`, { skip }, () => {
    const dir = workspace();
    const folder = path.join(dir, kind);
    const made = spawnSync(PYTHON, [path.join(__dirname, 'python', 'makeModel.py'), kind, folder, path.join(FIXTURES, 'llama')], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const native = depthlab(dir, ['--backend', 'wasm', 'analyze', kind, '--tokens', '128', '--window', '16']);
    assert.equal(native.status, 2);
    assert.match(native.stderr, new RegExp(`model_type "${kind}" is not supported; .* natively, and --backend torch any architecture`));
    const analyzed = depthlab(dir, ['--backend', 'torch', '--json', 'analyze', kind, '--tokens', '256', '--window', '32']);
    assert.equal(analyzed.status, 0, analyzed.stderr);
    const { analysis } = jsonEvents(analyzed.stdout).find((event) => event.type === 'result') as unknown as { analysis: { family: string; layers: number; statistics: Array<{ lossIncrease: number; blockInfluence: number }>; angularDistance: number[][]; keep: number[] } };
    assert.equal(analysis.family, 'transformers');
    assert.equal(analysis.statistics.length, 4);
    assert.ok(analysis.statistics.every((layer) => Number.isFinite(layer.lossIncrease) && layer.blockInfluence > 0), 'every layer measured, each turning the stream');
    assert.deepEqual(analysis.keep, [0, 2], 'every other layer, the default choice');
    const out = path.join(dir, 'pruned');
    const exported = depthlab(dir, ['--backend', 'torch', 'export', kind, '--layers', '1,3', '--tokens', '128', '--window', '16', '--out', out]);
    assert.equal(exported.status, 0, exported.stderr);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    assert.equal(config.num_hidden_layers, 2);
    assert.match(fs.readFileSync(path.join(out, 'README.md'), 'utf8'), /transformers' save_pretrained wrote the kept layers/);
    const compared = spawnSync(PYTHON, [path.join(__dirname, 'python', 'subnetworkLogits.py'), folder, out, '1,3'], { encoding: 'utf8' });
    assert.equal(compared.status, 0, compared.stderr);
    const result = JSON.parse(compared.stdout.trim().split('\n').at(-1)!);
    assert.deepEqual([result.missing, result.unexpected, result.layers], [[], [], 2]);
    assert.ok(result.maxDifference <= 1e-4, `the export's logits are the sub-network's: ${result.maxDifference}`);
  });
}

test('torch: two processes under torchrun (gloo) measure exactly what one does', { skip }, () => {
  const dir = copyOf('llama');
  const [one, two] = [[], ['--nproc-per-node', '2']].map((extra) => {
    const run = depthlab(dir, ['--backend', 'torch', '--json', 'analyze', 'llama', '--tokens', '512', '--window', '32', ...extra]);
    assert.equal(run.status, 0, run.stderr);
    return (jsonEvents(run.stdout).find((event) => event.type === 'result') as unknown as { analysis: object }).analysis;
  });
  assert.deepEqual(measured(two), measured(one));
});

test('torch: what stops it is one line, exit 2, and nothing written: no Python, no torch, an old transformers, an architecture transformers lacks, a device out of memory, the process killed', { skip }, () => {
  const dir = copyOf('llama');
  const analysisFile = path.join(dir, 'llama', '.depthlab', 'analysis.json');
  const refused = (args: string[], pattern: RegExp, env: NodeJS.ProcessEnv = {}) => {
    const run = depthlab(dir, ['--backend', 'torch', ...args, 'analyze', 'llama', '--tokens', '128', '--window', '16'], env);
    assert.equal(run.status, 2, `${pattern}: ${run.stderr}`);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], pattern);
    assert.ok(!fs.existsSync(analysisFile), 'no analysis written');
  };
  refused(['--python', path.join(dir, 'no-such-python')], /backend "torch" is not available here \(torch: no Python at .*no-such-python \(not found\); choose one with --python/);
  // A Python without torch: a virtual environment of its own, without the system's packages.
  const venv = path.join(dir, 'bare');
  assert.equal(spawnSync(PYTHON, ['-m', 'venv', '--without-pip', venv]).status, 0);
  refused(['--python', path.join(venv, 'bin', 'python')], /has no torch: pip install torch 'transformers>=4\.56'/);
  // transformers 4.30 first on the path: the version DepthLab reads is too old.
  const old = path.join(dir, 'old-transformers', 'transformers');
  fs.mkdirSync(old, { recursive: true });
  fs.writeFileSync(path.join(old, '__init__.py'), '__version__ = "4.30.0"\n');
  refused([], /has transformers 4\.30\.0; DepthLab needs 4\.56 or newer: pip install -U 'transformers>=4\.56'/, { PYTHONPATH: path.dirname(old) });
  // A model_type the installed transformers does not know.
  const config = path.join(dir, 'llama', 'config.json');
  const original = fs.readFileSync(config, 'utf8');
  fs.writeFileSync(config, original.replace('"model_type": "llama"', '"model_type": "depthlab_future"').replace('LlamaForCausalLM', 'DepthlabFutureForCausalLM'));
  refused([], /llama: transformers \d+\.\d+\.\d+ cannot load it \(.*depthlab_future.*\): pip install -U transformers; if the model ships its own code, pass --trust-remote-code/);
  fs.writeFileSync(config, original);
  refused([], /^depthlab: error: out of memory: the model needs about [\d.]+ GB \([\d.]+ GB of weights in float32, [\d.]+ GB for a window's logits\); cpu ran out\./, { DEPTHLAB_TORCH_FAULT: 'oom' });
  refused([], /the torch engine \(python3\) was killed \(SIGKILL\) while batches; nothing was written/, { DEPTHLAB_TORCH_FAULT: 'kill' });
});

test("torch: when the job's process ends (the editor's Cancel), the Python process ends with it", { skip }, async () => {
  const dir = copyOf('llama');
  const cli = spawn(process.execPath, [CLI, '--backend', 'torch', 'analyze', 'llama', '--tokens', '16384', '--window', '64'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const python = await new Promise<number>((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const children = spawnSync('pgrep', ['-P', String(cli.pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
      const engine = children.find((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('depthlab_torch.py'));
      if (engine) resolve(engine);
      if (Date.now() - started > 60_000) reject(new Error('no Python process started'));
      if (engine || Date.now() - started > 60_000) clearInterval(poll);
    }, 200);
  });
  cli.kill('SIGKILL');
  const ended = await new Promise<boolean>((resolve) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (!fs.existsSync(`/proc/${python}`) || fs.readFileSync(`/proc/${python}/stat`, 'utf8').split(' ')[2] === 'Z') resolve(true);
      else if (Date.now() - started > 10_000) resolve(false);
      else return;
      clearInterval(poll);
    }, 100);
  });
  assert.ok(ended, 'the engine ended within 10 s of its job');
});

test('auto: a Hugging Face folder goes to the torch backend when its Python has a GPU, and not otherwise, saying why', { skip }, () => {
  const dir = copyOf('llama');
  const onCpu = depthlab(dir, ['--json', 'analyze', 'llama', '--tokens', '64', '--window', '16']);
  assert.equal(onCpu.status, 0, onCpu.stderr);
  const backend = jsonEvents(onCpu.stdout)[0];
  assert.notEqual(backend.backend, 'torch');
  assert.match(String(backend.why), /torch: .* has torch \S+ but no GPU \(CUDA, ROCm or MPS\)/);
  // A Python whose probe reports a GPU (no GPU here to run on): auto takes torch, and the first line names the device.
  const fake = path.join(dir, 'gpu-python');
  fs.writeFileSync(fake, `#!/bin/sh\necho '{"python": "${fake}", "pythonVersion": "3.12.1", "torch": "2.13.0+cu128", "transformers": "5.18.0", "accelerate": null, "devices": [{"name": "cuda:0", "kind": "cuda", "description": "NVIDIA GeForce RTX 4090", "memoryBytes": 25757220864}]}'\n`, { mode: 0o755 });
  const onGpu = depthlab(dir, ['--python', fake, '--json', 'analyze', 'llama', '--tokens', '64', '--window', '16']);
  const first = jsonEvents(onGpu.stdout)[0];
  assert.equal(first.backend, 'torch');
  assert.equal(first.device, `Python 3.12.1 at ${fake}, torch 2.13.0+cu128, transformers 5.18.0: cuda:0 NVIDIA GeForce RTX 4090 (25.8 GB)`);
  // A DepthLab config never trains on it.
  const training = depthlab(dir, ['--backend', 'torch', 'run', path.join(__dirname, '..', 'examples', 'moby-dick.depthlab.json')]);
  assert.equal(training.status, 2);
  assert.match(training.stderr, /backend "torch" runs Hugging Face models with transformers in your Python; DepthLab's own configs run on/);
});

test('torch: --emit-script writes an analysis a plain python answers elsewhere, and depthlab import brings back exactly what analyze measures', { skip }, () => {
  const dir = copyOf('llama');
  fs.writeFileSync(path.join(dir, 'cloze.jsonl'), fs.readFileSync(path.join(__dirname, '..', 'dist', 'data', 'moby-dick-cloze.jsonl'), 'utf8').split('\n').slice(0, 8).join('\n'));
  const options = ['--tokens', '512', '--window', '32', '--task', 'cloze.jsonl'];
  const emitted = depthlab(dir, ['analyze', 'llama', ...options, '--emit-script', 'emitted']);
  assert.equal(emitted.status, 0, emitted.stderr);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'emitted')).sort(), ['README.md', 'depthlab_torch.py', 'emitted.json', 'requests.jsonl', 'run.sh', 'slurm.sbatch']);
  assert.ok(!fs.existsSync(path.join(dir, 'llama', '.depthlab')), 'nothing measured here');
  // Elsewhere, with plain python (the folder moved, the model at another path).
  const away = path.join(workspace(), 'away');
  fs.cpSync(path.join(dir, 'emitted'), away, { recursive: true });
  const answered = spawnSync('sh', [path.join(away, 'run.sh')], { encoding: 'utf8', env: { ...process.env, MODEL: path.join(dir, 'llama'), PYTHON } });
  assert.equal(answered.status, 0, answered.stderr);
  fs.copyFileSync(path.join(away, 'replies.jsonl'), path.join(dir, 'emitted', 'replies.jsonl'));
  const imported = depthlab(dir, ['--json', 'import', 'emitted']);
  assert.equal(imported.status, 0, imported.stderr);
  const fromScript = (jsonEvents(imported.stdout).find((event) => event.type === 'result') as unknown as { analysis: object; file: string }).analysis;
  assert.ok(fs.existsSync(path.join(dir, 'llama', '.depthlab', 'analysis.json')), 'written where analyze writes it, for the explorer');
  const analyzed = depthlab(dir, ['--backend', 'torch', '--json', 'analyze', 'llama', ...options, '--strategies', 'every-other,spread']);
  assert.equal(analyzed.status, 0, analyzed.stderr);
  const here = (jsonEvents(analyzed.stdout).find((event) => event.type === 'result') as unknown as { analysis: object }).analysis;
  assert.deepEqual(measured(fromScript), measured(here));
  // What a script cannot answer, and an import without its replies: one line each.
  const adaptive = depthlab(dir, ['analyze', 'llama', ...options, '--strategy', 'importance', '--emit-script', 'other']);
  assert.equal(adaptive.status, 2);
  assert.match(adaptive.stderr, /--emit-script: importance choose from what was measured, so DepthLab must run between their steps; a script answers every-other and spread/);
  fs.rmSync(path.join(dir, 'emitted', 'replies.jsonl'));
  const unanswered = depthlab(dir, ['import', 'emitted']);
  assert.equal(unanswered.status, 2);
  assert.match(unanswered.stderr, /replies\.jsonl is missing: run run\.sh where the model fits first/);
});
