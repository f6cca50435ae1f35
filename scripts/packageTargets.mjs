// One vsix per platform, each with only its own build of Dawn (the npm package `webgpu`) beside the
// bundles in dist/dawn/ and of onnxruntime (onnxruntime-node's binding and library) in
// dist/onnxruntime/, plus the universal vsix without either, which runs wasm alone. `npm run package --
// linux-x64 win32-x64` packages those targets only; with no target, all of them. The README's links to
// docs/ stay relative: docs/ ships in the vsix beside it.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');
const dawnBuilds = path.join(path.dirname(require.resolve('webgpu/package.json')), 'dist');
const onnxruntimeBuilds = path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6');
const dawnDir = path.join(root, 'dist', 'dawn');
const onnxruntimeDir = path.join(root, 'dist', 'onnxruntime');

// vsce's target names → the folders `webgpu` and onnxruntime-node keep each build in (Dawn has one
// macOS build for both architectures; onnxruntime-node has none for darwin-x64, which runs wasm alone).
const TARGETS = {
  'linux-x64': { dawn: 'linux-x64', onnxruntime: 'linux/x64' },
  'linux-arm64': { dawn: 'linux-arm64', onnxruntime: 'linux/arm64' },
  'darwin-arm64': { dawn: 'darwin-universal', onnxruntime: 'darwin/arm64' },
  'darwin-x64': { dawn: 'darwin-universal' },
  'win32-x64': { dawn: 'win32-x64', onnxruntime: 'win32/x64' },
  'win32-arm64': { dawn: 'win32-arm64', onnxruntime: 'win32/arm64' },
  universal: {},
};

const asked = process.argv.slice(2);
const unknown = asked.filter((target) => !(target in TARGETS));
if (unknown.length) throw new Error(`unknown target ${unknown[0]}; allowed: ${Object.keys(TARGETS).join(', ')}`);

execFileSync('node', [path.join(root, 'scripts/build.mjs'), '--production'], { stdio: 'inherit' });
for (const target of asked.length ? asked : Object.keys(TARGETS)) {
  for (const dir of [dawnDir, onnxruntimeDir]) fs.rmSync(dir, { recursive: true, force: true });
  const { dawn, onnxruntime } = TARGETS[target];
  if (dawn) fs.cpSync(path.join(dawnBuilds, dawn), dawnDir, { recursive: true });
  if (onnxruntime) fs.cpSync(path.join(onnxruntimeBuilds, onnxruntime), onnxruntimeDir, { recursive: true });
  const out = `depthlab-${target}.vsix`;
  const targetFlag = target === 'universal' ? [] : ['--target', target];
  execFileSync('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', ...targetFlag, '--out', out], { cwd: root, stdio: 'inherit' });
}
for (const dir of [dawnDir, onnxruntimeDir]) fs.rmSync(dir, { recursive: true, force: true });
