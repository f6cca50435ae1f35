import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { jobRuntime } from '../src/extension/jobs/nodeRuntime';
import { workspace } from './helpers';

/** A program that says it is Node `version` (there is no old Node here to run). */
function nodeSaying(dir: string, version: string, mode = 0o755): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'node');
  fs.writeFileSync(file, `#!/bin/sh\necho ${version}\n`, { mode });
  return file;
}
const realNodeDir = path.dirname(process.execPath);

test('job runtime: outside Electron (code-server, the CLI) jobs run in the editor\'s own Node', () => {
  assert.deepEqual(jobRuntime({ env: { PATH: realNodeDir } }), { text: `Node ${process.version} (the editor's)` });
});

test('job runtime: under Electron the first Node 20+ runs the jobs, and says why; a Node too old or not executable is passed over', () => {
  const dir = workspace();
  const old = nodeSaying(path.join(dir, 'old'), 'v18.19.0');
  const locked = nodeSaying(path.join(dir, 'locked'), 'v22.1.0', 0o644);
  // The setting's Node is too old, PATH's first is not executable, then the real Node on PATH.
  const found = jobRuntime({ electron: '35.5.1', configured: old, env: { PATH: [path.dirname(locked), realNodeDir].join(path.delimiter) }, home: dir });
  assert.equal(found.execPath, path.join(realNodeDir, 'node'));
  assert.equal(found.text, `Node ${process.version} at ${path.join(realNodeDir, 'node')} (PATH), not VS Code's Electron 35.5.1, whose sandbox keeps the GPU backend's memory out`);
  // None usable: Electron as before, saying what was passed over and why.
  const none = jobRuntime({ electron: '35.5.1', configured: old, env: { PATH: path.dirname(locked) }, home: dir });
  assert.equal(none.execPath, undefined);
  assert.equal(none.text, `VS Code's Electron 35.5.1, as no Node 20+ was found; passed over ${old} (the depthlab.nodeExecutable setting): v18.19.0 is older than Node 20; ${locked} (PATH): not executable: the webgpu backend cannot run here`);
});

test("job runtime: nvm's default version is found without nvm on PATH", () => {
  const home = workspace();
  fs.mkdirSync(path.join(home, '.nvm', 'alias'), { recursive: true });
  fs.writeFileSync(path.join(home, '.nvm', 'alias', 'default'), '22\n');
  const bin = path.join(home, '.nvm', 'versions', 'node', 'v22.11.0', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  const found = jobRuntime({ electron: '35.5.1', env: { PATH: '' }, home });
  assert.equal(found.execPath, path.join(bin, 'node'));
  assert.match(found.text, /\(nvm's default version\)/);
});
