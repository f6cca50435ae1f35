/**
 * onnxruntime-node's CPU speed on the graphs `onnxGpt2.py` writes: the whole GPT-2-small model (`tokensPerSecond`), and
 * twelve runs of one block whose weights are inputs (a streamed engine's layer), on `windows`
 * 256-token windows with `threads` intra-op threads; median of 5. onnxruntime-node is not a
 * dependency: the bench loads it from the folder given (ONNXRUNTIME_NODE_INSTALL=skip npm install
 * onnxruntime-node, anywhere). Prints one JSON line.
 *
 * node --import tsx bench/onnxruntimeGpt2.ts <onnxruntime-node folder> <graphs folder> <threads> <windows>
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Rng } from '../src/core/random/rng';

/** What the bench uses of onnxruntime-node's API (the package is not installed with DepthLab, nor its types). */
interface Ort {
  InferenceSession: { create(file: string, options: object): Promise<Session> };
  Tensor: new (type: string, data: Float32Array | BigInt64Array, dims: number[]) => unknown;
  env: { versions: { common: string } };
}
interface Session {
  run(feeds: Record<string, unknown>): Promise<unknown>;
  release(): Promise<void>;
}

const [packageFolder, graphs, threadsText, windowsText] = process.argv.slice(2);
const ort = createRequire(path.join(path.resolve(packageFolder), 'package.json'))(path.resolve(packageFolder)) as Ort;
const threads = Number(threadsText);
const windows = Number(windowsText);
const WINDOW = 256;
const D = 768;

async function medianMs(run: () => Promise<unknown>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[2];
}

async function main() {
  const options = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
  const tokens = windows * WINDOW;
  const loadStarted = performance.now();
  const whole = await ort.InferenceSession.create(path.join(graphs, 'gpt2.onnx'), options);
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const ids = new ort.Tensor('int64', BigInt64Array.from({ length: tokens }, (_, i) => BigInt(((i % WINDOW) * 7919) % 50257)), [windows, WINDOW]);
  const wholeMs = await medianMs(() => whole.run({ ids }));
  await whole.release();

  const rng = new Rng(1);
  const random = (shape: number[]) => new ort.Tensor('float32', Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rng.next() - 0.5) * 0.04), shape);
  const shapes: Record<string, number[]> = { ln1w: [D], ln1b: [D], wqkv: [D, 3 * D], bqkv: [3 * D], wo: [D, D], bo: [D], ln2w: [D], ln2b: [D], w1: [D, 4 * D], b1: [4 * D], w2: [4 * D, D], b2: [D] };
  const weights = Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, random(shape)]));
  const block = await ort.InferenceSession.create(path.join(graphs, 'block.onnx'), options);
  const x = random([windows, WINDOW, D]);
  const blockMs = await medianMs(() => block.run({ x, ...weights }));
  await block.release();
  process.stdout.write(
    JSON.stringify({
      onnxruntime: ort.env.versions.common,
      threads,
      windows,
      loadSeconds: +loadSeconds.toFixed(1),
      tokensPerSecond: Math.round((tokens * 1000) / wholeMs),
      blockWithWeightsAsInputsMs: +blockMs.toFixed(1),
      twelveBlocksTokensPerSecond: Math.round((tokens * 1000) / (12 * blockMs)),
    }),
  );
}

main().catch((error: Error) => {
  process.stderr.write(`onnxruntime: ${error.message.split('\n')[0]}\n`);
  process.exit(1);
});
