import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { keptRuns } from '../src/core/export/keptRuns';
import { readPlan } from '../src/core/export/prunePlan';

const FIXTURES = path.join(__dirname, 'fixtures', 'huggingface');
// The built bundle, as a user runs it (npm test builds first).
const CLI = path.join(__dirname, '../dist/cli.js');
const depthlab = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [CLI, '--backend', 'wasm', ...args], { cwd, encoding: 'utf8', timeout: 120_000 });

function copyOf(family: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-handoff-'));
  fs.cpSync(path.join(FIXTURES, family), path.join(dir, family), { recursive: true });
  return dir;
}

test('kept runs: consecutive layers fold into [start, end) slices that rebuild the list', () => {
  assert.deepEqual(keptRuns([0, 2, 3, 5]), [[0, 1], [2, 4], [5, 6]]);
  assert.deepEqual(keptRuns([3, 1, 2]), [[1, 4]]);
  for (const keep of [[0], [0, 1, 2, 3], [1, 3], [0, 2, 4, 5, 6, 9]]) {
    assert.deepEqual(keptRuns(keep).flatMap(([start, end]) => Array.from({ length: end - start }, (_, i) => start + i)), keep);
  }
});

test('a decoder export hands off to llama.cpp, mergekit and a LoRA heal, and writes a plan that depthlab check holds it to', () => {
  const dir = copyOf('llama');
  fs.writeFileSync(path.join(dir, 'text.txt'), fs.readFileSync(path.join(__dirname, '..', 'dist', 'data', 'moby-dick.txt'), 'utf8').slice(0, 20_000));
  const exported = depthlab(dir, 'export', 'llama', '--layers', '0,2,3', '--data', 'text.txt', '--tokens', '512', '--window', '64');
  assert.equal(exported.status, 0, exported.stderr);
  const out = path.join(dir, 'llama-keep-0-2-3');

  // mergekit: valid YAML whose slices, ends exclusive, rebuild exactly the kept layers from the original.
  const merge = parse(fs.readFileSync(path.join(out, 'mergekit.yaml'), 'utf8'));
  assert.equal(merge.merge_method, 'passthrough');
  const slices = merge.slices.map((slice: { sources: Array<{ model: string; layer_range: [number, number] }> }) => slice.sources[0]);
  assert.ok(slices.every((source: { model: string }) => source.model === path.join(dir, 'llama')));
  assert.deepEqual(keptRuns([0, 2, 3]), slices.map((source: { layer_range: [number, number] }) => source.layer_range));
  // llama.cpp prunes the layers not kept.
  assert.match(fs.readFileSync(path.join(out, 'llama.cpp.txt'), 'utf8'), /^llama-quantize --prune-layers 1 llama-f16\.gguf llama-keep-0-2-3-Q4_K_M\.gguf Q4_K_M$/m);
  // heal: a LoRA config PEFT reads, over every linear map of the family.
  const lora = JSON.parse(fs.readFileSync(path.join(out, 'heal', 'lora_config.json'), 'utf8'));
  assert.deepEqual([lora.peft_type, lora.task_type, lora.r, lora.lora_alpha], ['LORA', 'CAUSAL_LM', 8, 16]);
  assert.ok(lora.target_modules.includes('gate_proj'));
  assert.match(fs.readFileSync(path.join(out, 'heal', 'heal.py'), 'utf8'), /AutoModelForCausalLM\.from_pretrained\(FOLDER/);
  assert.match(fs.readFileSync(path.join(out, 'README.md'), 'utf8'), /`heal\/`: .* about [\d.]+e\+\d+ FLOPs/);

  // The plan names the cut, the text and both measurements.
  const plan = readPlan(out);
  assert.deepEqual(plan.choice.keep, [0, 2, 3]);
  assert.equal(plan.source.layers, 4);
  assert.equal(plan.text.tokens, 512);
  const increase = plan.after.loss - plan.before.loss;

  // check: within a generous limit (exit 0), over one below the increase (exit 1), one line each way.
  const within = depthlab(dir, 'check', 'llama-keep-0-2-3', '--max-increase', '10');
  assert.equal(within.status, 0, within.stderr);
  assert.match(within.stdout.trim().split('\n').at(-1)!, /^within: loss \d+\.\d{4} against the original's \d+\.\d{4}: [+−]\d+\.\d{4} nats ≤ 10 \(layers 0,2,3\)$/);
  assert.ok(increase > 0, `removing layer 1 of the fixture costs loss: ${increase}`);
  const over = depthlab(dir, 'check', path.join('llama-keep-0-2-3', 'depthlab-plan.json'), '--max-increase', String(increase / 2));
  assert.equal(over.status, 1, over.stderr);
  assert.match(over.stdout.trim().split('\n').at(-1)!, /^over: .* > /);
  // A changed text or model: exit 2, one line saying which.
  fs.appendFileSync(path.join(dir, 'text.txt'), 'more text');
  const text = depthlab(dir, 'check', 'llama-keep-0-2-3');
  assert.equal(text.status, 2);
  assert.match(text.stderr, /text\.txt: the text changed since depthlab-plan\.json was written/);
  const config = path.join(out, 'config.json');
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('"rms_norm_eps"', '"rms_norm_eps" ').trimEnd() + '\n\n');
  const model = depthlab(dir, 'check', 'llama-keep-0-2-3');
  assert.equal(model.status, 2);
  assert.match(model.stderr, /the model changed since depthlab-plan\.json was written \(config\.json changed\)/);
  assert.equal(depthlab(dir, 'check', 'llama-keep-0-2-3', '--max-increase', '-1').status, 2);
});

test('an encoder export leaves out llama.cpp and mergekit, and its README says why', () => {
  const dir = copyOf('bert');
  const exported = depthlab(dir, 'export', 'bert', '--layers', '0,2', '--tokens', '256', '--window', '32');
  assert.equal(exported.status, 0, exported.stderr);
  const out = path.join(dir, 'bert-keep-0-2');
  assert.ok(!fs.existsSync(path.join(out, 'mergekit.yaml')) && !fs.existsSync(path.join(out, 'llama.cpp.txt')));
  const readme = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
  assert.match(readme, /Left out: llama\.cpp takes decoder language models; bert is a masked-language encoder/);
  assert.match(readme, /Left out: mergekit takes decoder language models/);
  assert.match(exported.stdout, /left out: mergekit/);
  const lora = JSON.parse(fs.readFileSync(path.join(out, 'heal', 'lora_config.json'), 'utf8'));
  assert.equal(lora.task_type, undefined, 'PEFT has no masked-LM task type');
  assert.match(fs.readFileSync(path.join(out, 'heal', 'heal.py'), 'utf8'), /DataCollatorForLanguageModeling\(tokenizer, mlm=True\)/);
});
