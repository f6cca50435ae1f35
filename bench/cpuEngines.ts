/**
 * npm run bench:engines [-- --rounds 2] [--save]
 *
 * The CPU engines side by side on GPT-2-small shapes (issue 20): DepthLab's two (wasm alone, and
 * wasm with its products on onnxruntime), PyTorch (python3 with torch and transformers) and
 * onnxruntime-node's CPU execution provider running the whole model (its graphs exported by
 * `onnxGpt2.py`, which needs onnx too; --onnxruntime <folder> takes another install). Forward tokens/s
 * on one 256-token window with one thread, and on two windows with two threads (DepthLab: one
 * window per evaluation thread, as the analysis splits batches; the others: two intra-op threads on
 * a batch of two). Every engine runs in its own process, one after another, in rounds, so the same
 * minutes of a noisy machine are shared out. Prints one JSON document; --save writes it to
 * bench/results/.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withFixtureTokenizer } from './benchModel';
import { commandJson } from './commandJson';
import { selectBackend } from '../src/core/backend/selectBackend';
import { evaluate } from '../src/core/evaluate/evaluate';
import { EvaluationThreads } from '../src/core/evaluate/evaluationThreads';
import { writeJsonAtomic } from '../src/core/files/atomicWrite';
import { openPretrained } from '../src/core/huggingface/openPretrained';
import type { Batch } from '../src/core/data/batch';
import { GPT2_SMALL, WINDOW, writeGpt2 } from './gpt2Small';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? undefined : args[i + 1];
};
const started = performance.now();
const log = (line: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** DepthLab's forward on `backend`, `threads` windows, one per evaluation thread, as the analysis runs them: median of 5 after one untimed pass. */
async function ours(folder: string, threads: number, backend: 'wasm' | 'onnxruntime') {
  await selectBackend(backend);
  const { model } = openPretrained(folder, backend);
  const pool = threads > 1 ? await EvaluationThreads.attach(model, { kind: 'pretrained', folder }, backend, threads) : undefined;
  const batches: Batch[] = Array.from({ length: threads }, (_, w) => {
    const ids = Int32Array.from({ length: WINDOW }, (_, i) => (i * 7919 + w) % GPT2_SMALL.vocab_size);
    return { size: 1, length: WINDOW, inputs: ids, targets: ids };
  });
  const all = Array.from({ length: model.layers }, (_, l) => l);
  const pass = () => {
    const begun = performance.now();
    evaluate(model, batches, all);
    return performance.now() - begun;
  };
  pass();
  const ms = median(Array.from({ length: 5 }, pass));
  await pool?.dispose();
  model.dispose();
  return { tokensPerSecond: Math.round((threads * WINDOW * 1000) / ms), threads, windows: threads, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) };
}

async function main() {
  const child = option('ours');
  if (child) {
    process.stdout.write(JSON.stringify(await ours(option('folder')!, Number(child), option('backend') as 'wasm' | 'onnxruntime')));
    return;
  }
  const rounds = Number(option('rounds') ?? 2);
  const onnxruntime = option('onnxruntime') ?? path.dirname(require.resolve('onnxruntime-node/package.json'));
  const { folder } = writeGpt2();
  withFixtureTokenizer(folder);
  const graphs = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-onnx-'));
  const exported = onnxruntime ? commandJson('python3', [path.join(__dirname, 'onnxGpt2.py'), graphs]) : undefined;
  const engines: Record<string, (threads: number) => unknown> = {
    depthlab: (threads) => commandJson(process.execPath, ['--import', 'tsx', __filename, '--ours', String(threads), '--folder', folder, '--backend', 'wasm']),
    'depthlab-onnxruntime': (threads) => commandJson(process.execPath, ['--import', 'tsx', __filename, '--ours', String(threads), '--folder', folder, '--backend', 'onnxruntime']),
    pytorch: (threads) => commandJson('python3', [path.join(__dirname, 'torchGpt2.py'), String(threads), String(threads)]),
    ...(onnxruntime && !exported?.error && { onnxruntime: (threads: number) => commandJson(process.execPath, ['--import', 'tsx', path.join(__dirname, 'onnxruntimeGpt2.ts'), onnxruntime, graphs, String(threads), String(threads)]) }),
  };
  const measured: Record<string, Record<string, unknown[]>> = {};
  for (let round = 1; round <= rounds; round++) {
    for (const threads of [1, 2]) {
      for (const [engine, measure] of Object.entries(engines)) {
        log(`round ${round}: ${engine}, ${threads} thread${threads > 1 ? 's' : ''}`);
        ((measured[engine] ??= {})[`threads${threads}`] ??= []).push(measure(threads));
      }
    }
  }
  fs.rmSync(folder, { recursive: true, force: true });
  fs.rmSync(graphs, { recursive: true, force: true });
  const tokensPerSecond = (engine: string, threads: number) => median(measured[engine][`threads${threads}`].map((result) => (result as { tokensPerSecond?: number }).tokensPerSecond ?? NaN));
  const fraction = (ours: string, engine: string, threads: number) => +(tokensPerSecond(ours, threads) / tokensPerSecond(engine, threads)).toFixed(2);
  const fractions = (ours: string) => Object.fromEntries(Object.keys(engines).filter((engine) => !engine.startsWith('depthlab')).map((engine) => [engine, { threads1: fraction(ours, engine, 1), threads2: fraction(ours, engine, 2) }]));
  const cpus = os.cpus();
  const document = {
    date: new Date().toISOString(),
    machine: { cpu: cpus[0]?.model, cores: cpus.length, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    shape: GPT2_SMALL,
    window: WINDOW,
    onnxExport: exported,
    measured,
    depthlabAsFractionOf: fractions('depthlab'),
    depthlabOnnxruntimeAsFractionOf: fractions('depthlab-onnxruntime'),
  };
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  if (args.includes('--save')) {
    const file = path.join(__dirname, 'results', `${document.date.replace(/[:.]/g, '-')}-cpu-engines.json`);
    writeJsonAtomic(file, document);
    log(`saved ${path.relative(process.cwd(), file)}`);
  }
}

main().catch((error: Error) => {
  log(`bench:engines: ${error.message.split('\n')[0]}`);
  process.exit(1);
});
