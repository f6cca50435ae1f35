import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { cachedModels, resolveRepoId, snapshotOf } from '../src/core/files/hubCache';
import { workspace, writeHubCache } from './helpers';

const FIXTURE = path.join(__dirname, 'fixtures', 'huggingface', 'llama');
const CLI = path.join(__dirname, '../dist/cli.js');
const COMMITS = ['1a2b3c4d5e6f70819a2b3c4d5e6f70819a2b3c4d', '9f8e7d6c5b4a39281f8e7d6c5b4a39281f8e7d6c'];

const hubCache = () => writeHubCache(path.join(workspace(), 'hub'), 'acme/tiny-llama', FIXTURE, COMMITS);

/** Every path under `dir` with its content or link target: equal before and after means nothing was written there. */
function treeHash(dir: string): string {
  const hash = crypto.createHash('sha256');
  const walk = (at: string) => {
    for (const name of fs.readdirSync(at).sort()) {
      const file = path.join(at, name);
      const stat = fs.lstatSync(file);
      hash.update(path.relative(dir, file));
      if (stat.isSymbolicLink()) hash.update(`-> ${fs.readlinkSync(file)}`);
      else if (stat.isDirectory()) walk(file);
      else hash.update(fs.readFileSync(file));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

test('Hub ids resolve in the cache as huggingface_hub resolves them: refs to a commit, @revision by name or commit; a missing one names the cache and the download', () => {
  const cache = hubCache();
  const env = { HF_HUB_CACHE: cache };
  const main = resolveRepoId('acme/tiny-llama', 'model', env);
  assert.deepEqual([main.revision, main.commit, main.folder], ['main', COMMITS[0], path.join(cache, 'models--acme--tiny-llama', 'snapshots', COMMITS[0])]);
  assert.equal(resolveRepoId('acme/tiny-llama@v2', 'model', env).commit, COMMITS[1]);
  assert.equal(resolveRepoId(`acme/tiny-llama@${COMMITS[1]}`, 'model', env).commit, COMMITS[1]);
  assert.equal(resolveRepoId('acme/tiny-llama', 'model', { HF_HOME: path.dirname(cache) }).commit, COMMITS[0], 'HF_HOME/hub when HF_HUB_CACHE is unset');
  assert.throws(() => resolveRepoId('acme/other', 'model', env), new RegExp(`^UserError: acme/other is not in the Hugging Face cache \\(${cache}; HF_HUB_CACHE or HF_HOME set it\\); DepthLab never downloads: hf download acme/other$`.replace(/\//g, '\\/')));
  assert.throws(() => resolveRepoId('acme/tiny-llama@v3', 'model', env), /acme\/tiny-llama@v3 is not in the Hugging Face cache \(.* has main, v2, 1a2b3c4d5e6f, 9f8e7d6c5b4a\); DepthLab never downloads: hf download acme\/tiny-llama --revision v3/);
  assert.deepEqual(snapshotOf(main.folder), { kind: 'model', id: 'acme/tiny-llama', revision: COMMITS[0], commit: COMMITS[0], folder: main.folder });
  const listed = cachedModels(env);
  assert.deepEqual(listed.map((model) => [model.id, model.revision]).sort(), [['acme/tiny-llama', 'main'], ['acme/tiny-llama', 'v2']]);
  assert.ok(listed.every((model) => model.bytes > 0));
});

test('the CLI takes a model by its Hub id: the analysis, the report and the export go to the working folder, and nothing is written into the cache', () => {
  const cache = hubCache();
  const before = treeHash(cache);
  const cwd = workspace();
  const depthlab = (...args: string[]) => spawnSync(process.execPath, [CLI, '--backend', 'wasm', ...args], { cwd, encoding: 'utf8', env: { ...process.env, HF_HUB_CACHE: cache } });
  const analyzed = depthlab('analyze', 'acme/tiny-llama', '--tokens', '64', '--window', '16');
  assert.equal(analyzed.status, 0, analyzed.stderr);
  const home = path.join(cwd, '.depthlab', 'models', 'acme--tiny-llama', COMMITS[0]);
  assert.ok(fs.existsSync(path.join(home, 'analysis.json')), analyzed.stdout);
  assert.ok(analyzed.stdout.includes(path.join(home, 'analysis.json')), 'the CLI says where the analysis went');
  assert.ok(depthlab('analyze', 'acme/tiny-llama@v2', '--tokens', '64', '--window', '16').status === 0 && fs.existsSync(path.join(cwd, '.depthlab', 'models', 'acme--tiny-llama', COMMITS[1], 'analysis.json')));
  const report = depthlab('report', 'acme/tiny-llama');
  assert.equal(report.status, 0, report.stderr);
  assert.ok(fs.existsSync(path.join(home, 'report.html')));
  const exported = depthlab('export', 'acme/tiny-llama', '--layers', '0,2', '--tokens', '64', '--window', '16');
  assert.equal(exported.status, 0, exported.stderr);
  assert.ok(fs.existsSync(path.join(cwd, 'acme--tiny-llama-keep-0-2', 'model.safetensors')));
  assert.equal(treeHash(cache), before, 'the cache is as huggingface_hub left it');
  const missing = depthlab('analyze', 'acme/missing');
  assert.equal(missing.status, 2);
  assert.deepEqual(missing.stderr.trim().split('\n'), [`depthlab: error: acme/missing is not in the Hugging Face cache (${cache}; HF_HUB_CACHE or HF_HOME set it); DepthLab never downloads: hf download acme/missing`]);
  // A folder that exists wins over an id spelled the same.
  fs.cpSync(FIXTURE, path.join(cwd, 'acme', 'tiny-llama'), { recursive: true });
  assert.equal(depthlab('analyze', 'acme/tiny-llama', '--tokens', '64', '--window', '16').status, 0);
  assert.ok(fs.existsSync(path.join(cwd, 'acme', 'tiny-llama', '.depthlab', 'analysis.json')));
  assert.equal(treeHash(cache), before);
});
