// One vsix per platform, each with only its own build of Dawn (the npm package `webgpu`) beside the
// bundles in dist/dawn/, plus the universal vsix without Dawn, which runs wasm. `npm run package --
// linux-x64 win32-x64` packages those targets only; with no target, all of them. The README's links to
// docs/ stay relative: docs/ ships in the vsix beside it.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');
const dawnBuilds = path.join(path.dirname(require.resolve('webgpu/package.json')), 'dist');
const dawnDir = path.join(root, 'dist', 'dawn');

// vsce's target names → the folder `webgpu` keeps each build in (macOS has one universal build).
const TARGETS = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'darwin-arm64': 'darwin-universal',
  'darwin-x64': 'darwin-universal',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
  universal: undefined,
};

const asked = process.argv.slice(2);
const unknown = asked.filter((target) => !(target in TARGETS));
if (unknown.length) throw new Error(`unknown target ${unknown[0]}; allowed: ${Object.keys(TARGETS).join(', ')}`);

execFileSync('node', [path.join(root, 'scripts/build.mjs'), '--production'], { stdio: 'inherit' });
for (const target of asked.length ? asked : Object.keys(TARGETS)) {
  fs.rmSync(dawnDir, { recursive: true, force: true });
  const build = TARGETS[target];
  if (build) fs.cpSync(path.join(dawnBuilds, build), dawnDir, { recursive: true });
  const out = `depthlab-${target}.vsix`;
  const targetFlag = target === 'universal' ? [] : ['--target', target];
  execFileSync('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', ...targetFlag, '--out', out], { cwd: root, stdio: 'inherit' });
}
fs.rmSync(dawnDir, { recursive: true, force: true });
