/**
 * npm run bench [-- --backends wasm,cpu] [--steps 50] [--save]
 *
 * Throughput of the reference config (issue 4: LM, 6 layers, dModel 128, 4 heads, ffn 512, seqLen 64,
 * batch 32, LayerDrop 0.2, Moby Dick characters) on every backend found, each in its own process so
 * that peak RSS and tensor counts are its own. Prints one JSON document; --save also writes it to
 * bench/results/. Not a test: the numbers depend on the machine, so it reports the training step's
 * effective GFLOP/s as a fraction of a plain 2D matMul's (TF.js's and the engine's) measured in the
 * same process.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '../src/core/backend/tf';
import { crossEntropy } from '../src/core/ops/crossEntropy';
import { embeddingLookup } from '../src/core/ops/embedding';
import { linear } from '../src/core/ops/linear';
import { matMul } from '../src/core/ops/matMul';
import { oneHotFloat } from '../src/core/ops/oneHot';
import { activeBackend, selectBackend } from '../src/core/backend/selectBackend';
import { type ResolvedBackend } from '../src/core/backend/backendDescription';
import { onWasmHeap } from '../src/core/backend/backends';
import { activeGpu } from '../src/core/backend/webgpu/webgpuBackend';
import { valuesInPlace } from '../src/core/backend/valuesInPlace';
import { wasmKernelBuild } from '../src/core/backend/wasm/wasmKernels';
import { parseConfig } from '../src/core/config/loadConfig';
import type { DepthLabConfig } from '../src/core/config/schema';
import { loadDataset } from '../src/core/data/loadDataset';
import { calibrationFile, writeCalibration } from '../src/core/backend/threadCount';
import { EvaluationThreads } from '../src/core/evaluate/evaluationThreads';
import { runBatchTask } from '../src/core/evaluate/batchTasks';
import { weightsOf } from '../src/core/model/modelWeights';
import { depthSweep } from '../src/core/evaluate/depthSweep';
import { evaluate } from '../src/core/evaluate/evaluate';
import { writeJsonAtomic } from '../src/core/files/atomicWrite';
import { sampleActiveLayers } from '../src/core/model/layerDrop';
import type { Batch } from '../src/core/data/batch';
import { Transformer } from '../src/core/model/transformer';
import { everyOther } from '../src/core/prune/everyOther';
import { Rng } from '../src/core/random/rng';
import { layerStatistics } from '../src/core/statistics/importance';
import { dropStatistics, emptyCounters } from '../src/core/statistics/dropStatistics';
import { adamWFor } from '../src/core/train/adamW';
import { DataParallel } from '../src/core/train/dataParallel';
import { trainingStep } from '../src/core/train/trainingStep';
import { measureDepth, phaseCosts, plannedCost } from '../src/core/analysis/depthMeasurements';
import { GPT2_SMALL, gpt2SmallForward, openGpt2, WINDOW, writeGpt2 } from './bench/gpt2Small';
import { LLAMA_1B, LLAMA_WINDOW, llama1BForward, writeLlama1B } from './bench/llama1B';

const REFERENCE = {
  name: 'bench-reference',
  task: 'language-model',
  model: { layers: 6, dModel: 128, heads: 4, ffn: 512, seqLen: 64, dropout: 0.1 },
  layerdrop: { rate: 0.2 },
  train: { batchSize: 32, evalBatches: 8, lr: 0.001, seed: 1 },
};
const ALL_BACKENDS: ResolvedBackend[] = ['webgpu', 'tensorflow-gpu', 'tensorflow', 'onnxruntime', 'wasm', 'cpu'];
/** Backends whose threads each hold a wasm instance or a JS engine: the thread scaling is theirs to measure. */
const THREADED: ResolvedBackend[] = ['onnxruntime', 'wasm', 'cpu'];

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? undefined : args[i + 1];
};
const stepsAsked = Number(option('steps') ?? 50);
const started = performance.now();
const log = (line: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

/** Multiply-adds ×2 of the forward pass through `active` layers: the dense layers, attention's two products, the LM head. */
function forwardFlops(config: DepthLabConfig, active: number, vocab: number): number {
  const { dModel: d, ffn, seqLen: t } = config.model;
  const tokens = config.train.batchSize * t;
  const dense = 2 * tokens * (3 * d * d + d * d + 2 * d * ffn);
  const attention = 2 * 2 * config.train.batchSize * t * t * d;
  return active * (dense + attention) + 2 * tokens * d * vocab;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function msOf(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

/**
 * 2D matMul [2048, 128]·[128, 384], TF.js's own (tf.matMul) and the engine's (our kernel on wasm),
 * timed between training steps: this machine's speed drifts by 2× over minutes, so the step and
 * its ceiling are measured side by side.
 */
function matMulProbe() {
  const [m, k, n] = [2048, 128, 384];
  const a = tf.randomNormal([m, k]) as tf.Tensor2D;
  const b = tf.randomNormal([k, n]) as tf.Tensor2D;
  // Not tf.tidy(() => ….dataSync()): tidy walks a returned typed array element by element. Not
  // dataSync() either: its copy of the product (3 MB, six a round) made V8 collect during the next
  // data-parallel step, on the core the other thread computes on.
  const timer = (product: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor) => () => {
    const c = product(a, b);
    valuesInPlace(c);
    c.dispose();
  };
  const runs = { tfjs: timer(tf.matMul), engine: timer(matMul) };
  const times = { tfjs: [] as number[], engine: [] as number[] };
  runs.tfjs();
  runs.engine();
  return {
    sample: () => {
      for (const name of ['tfjs', 'engine'] as const) times[name].push(...Array.from({ length: 3 }, () => msOf(runs[name])));
    },
    gflops: (name: keyof typeof times) => (2 * m * k * n) / median(times[name]) / 1e6,
    dispose: () => tf.dispose([a, b]),
  };
}

/** A GPU-sized product, [n, n]·[n, n], read back each time (so the GPU has finished): median of five after a warm-up. */
function largeMatMulGflops(n: number): number {
  const a = tf.randomNormal([n, n]) as tf.Tensor2D;
  const b = tf.randomNormal([n, n]) as tf.Tensor2D;
  const run = () => {
    const c = tf.matMul(a, b);
    tf.sum(c).dataSync();
    c.dispose();
  };
  run();
  const ms = median(Array.from({ length: 5 }, () => msOf(run)));
  tf.dispose([a, b]);
  return +((2 * n ** 3) / ms / 1e6).toFixed(1);
}

/** How a model turns token ids into vectors and scores its predictions: the engine's, and the one-hot form it replaced. */
const VOCABULARY_FORMS = {
  gather: (table: tf.Tensor2D, head: tf.Tensor2D, ids: Int32Array, targets: Int32Array) => crossEntropy(linear(embeddingLookup(table, ids), head), targets),
  'one-hot': (table: tf.Tensor2D, head: tf.Tensor2D, ids: Int32Array, targets: Int32Array) => {
    const onehot = (t: Int32Array, depth: number) => oneHotFloat(tf.tensor1d(t, 'int32'), depth);
    const logits = linear(linear(onehot(ids, table.shape[0]), table), head);
    return tf.neg(tf.mean(tf.sum(onehot(targets, table.shape[0]).mul(tf.logSoftmax(logits)), -1))) as tf.Scalar;
  },
};

const VOCABULARIES = { reference: 0, 'gpt-2': 50_257 };
type VocabularyCase = { form: keyof typeof VOCABULARY_FORMS; vocabulary: keyof typeof VOCABULARIES };

/**
 * The part of a training step whose cost grows with the vocabulary: embedding lookup, LM head and
 * loss, forward and backward, on one reference batch (2,048 tokens, dModel 128), in one form at one
 * vocabulary. Peak bytes are TF.js's own count (tf.profile). Each case runs in its own process: a
 * form that exhausts the wasm heap leaves it unusable, so the parent records the crash instead.
 */
async function vocabularyProbe(backend: ResolvedBackend, { form, vocabulary }: VocabularyCase) {
  await selectBackend(backend);
  const loaded = parseConfig(JSON.stringify(REFERENCE), path.join(os.tmpdir(), 'reference.depthlab.json'));
  const config = loaded.config;
  const vocab = VOCABULARIES[vocabulary] || loadDataset(loaded).tokenizer.vocabSize;
  const tokens = config.train.batchSize * config.model.seqLen;
  const ids = Int32Array.from({ length: tokens }, (_, i) => (i * 7919) % vocab);
  const targets = Int32Array.from({ length: tokens }, (_, i) => (i * 104_729 + 1) % vocab);
  const table = tf.variable(tf.randomNormal<tf.Rank.R2>([vocab, config.model.dModel], 0, 0.02));
  const head = tf.variable(tf.randomNormal<tf.Rank.R2>([config.model.dModel, vocab], 0, 0.02));
  const run = () => {
    const { value, grads } = tf.tidy(() => tf.variableGrads(() => VOCABULARY_FORMS[form](table, head, ids, targets), [table, head]));
    value.dataSync();
    tf.dispose([value, grads]);
  };
  const { peakBytes } = await tf.profile(run);
  const ms = median(Array.from({ length: 3 }, () => msOf(run)));
  return { vocab, tokensPerSecond: Math.round((tokens * 1000) / ms), peakMB: +(peakBytes / 2 ** 20).toFixed(1) };
}

/** Every form at every vocabulary, each in a child process; a case that crashes is reported with its error line. */
function vocabularyCosts(backend: ResolvedBackend) {
  const results: Record<string, unknown> = {};
  for (const vocabulary of Object.keys(VOCABULARIES) as VocabularyCase['vocabulary'][]) {
    for (const form of Object.keys(VOCABULARY_FORMS) as VocabularyCase['form'][]) {
      const run = child(['--child', backend, '--vocabulary', `${form}@${vocabulary}`]);
      const key = `${form} @ ${vocabulary}`;
      // Emscripten's abort() is how the wasm heap reports a failed allocation.
      const error = run.stderr.includes('Aborted()') ? 'out of memory: the wasm heap aborted' : lastLine(run.stderr);
      results[key] = run.status === 0 ? JSON.parse(run.stdout) : { error };
      log(`${backend}: vocabulary ${key}: ${JSON.stringify(results[key])}`);
    }
  }
  return results;
}

/** This script again, in a child process; stderr is shown as it comes, or kept to report the child's last words. */
const child = (childArgs: string[], stderr: 'inherit' | 'pipe' = 'pipe') =>
  spawnSync(process.execPath, [...process.execArgv, __filename, ...childArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', stderr] });
const lastLine = (text: string) => text.trim().split('\n').filter((line) => !line.startsWith('    at ')).pop()?.slice(0, 160) ?? 'exited without a message';

/**
 * On a software GPU adapter (SwiftShader runs TF.js's shaders at about 0.6 GFLOP/s here) the bench
 * only shows that every path runs: batches of 4, two steps, one round of each measurement, 16-token
 * windows for the pretrained models, no vocabulary probes.
 */
const PATH_CHECK = { batchSize: 4, evalBatches: 2, steps: 2, pairs: 1, rounds: 1, window: 16 };

async function measure(backend: ResolvedBackend) {
  await selectBackend(backend);
  const pathOnly = activeGpu()?.software === true;
  const steps = pathOnly ? PATH_CHECK.steps : stepsAsked;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-bench-'));
  const reference = pathOnly ? { ...REFERENCE, train: { ...REFERENCE.train, batchSize: PATH_CHECK.batchSize, evalBatches: PATH_CHECK.evalBatches } } : REFERENCE;
  const loaded = parseConfig(JSON.stringify(reference), path.join(dir, 'reference.depthlab.json'));
  const config = loaded.config;
  const dataset = loadDataset(loaded);
  const rng = new Rng(config.train.seed);
  const model = new Transformer({ task: 'language-model', vocabSize: dataset.tokenizer.vocabSize, numClasses: 0, model: config.model }, rng);
  const optimizer = adamWFor(model, config.train.weightDecay);
  const layers = config.model.layers;
  const all = Array.from({ length: layers }, (_, l) => l);
  const tokensPerBatch = config.train.batchSize * config.model.seqLen;
  const step = (active: number[]) => {
    const batch: Batch = dataset.trainBatch(rng, config.train.batchSize);
    return msOf(() => trainingStep(model, optimizer, batch, active, config.train.lr, config.train.clipNorm, rng));
  };

  const probe = matMulProbe();
  log(`${backend}: warm-up`);
  step(all);
  step(all);
  // Single-thread training's peak, before a second wasm instance joins the process.
  const rssOneThreadMB = Math.round(process.resourceUsage().maxRSS / 1024);
  const threaded = THREADED.includes(backend);
  const cores = Math.max(2, os.cpus().length);
  const parallel = threaded ? await DataParallel.start(model, optimizer, config.train.weightDecay, backend, cores) : undefined;
  let parallelSteps = 0;
  const parallelStep = async (active: number[]) => {
    if (!parallel) return 0;
    const batch: Batch = dataset.trainBatch(rng, config.train.batchSize);
    const begun = performance.now();
    await parallel.step(model, optimizer, batch, active, rng, parallelSteps++, { lr: config.train.lr, clipNorm: config.train.clipNorm });
    return performance.now() - begun;
  };
  await parallelStep(all);
  const tensorsBefore = tf.memory().numTensors;
  // One thread and all cores alternate in blocks of a few steps, on the same layers, so that both see
  // the same drift of the machine while each runs steps back to back as training does (a thread
  // starts its next step while the main one is between steps); which goes first alternates too.
  log(`${backend}: ${steps} training steps at LayerDrop ${config.layerdrop.rate} on one thread${threaded ? `, alternating with ${steps} on ${cores} data-parallel threads` : ''}`);
  const rates = all.map(() => config.layerdrop.rate);
  let activeSum = 0;
  let totalTrainMs = 0;
  let parallelMs = 0;
  const BLOCK = 5;
  for (let first = 0; first < steps; first += BLOCK) {
    const block = Array.from({ length: Math.min(BLOCK, steps - first) }, () => sampleActiveLayers(rates, rng));
    activeSum += block.reduce((sum, active) => sum + active.length, 0);
    const oneThread = () => block.forEach((active) => (totalTrainMs += step(active)));
    if ((first / BLOCK) % 2 === 0) oneThread();
    for (const active of block) parallelMs += await parallelStep(active);
    if ((first / BLOCK) % 2 === 1) oneThread();
    probe.sample();
  }
  const tensorsAfter = tf.memory().numTensors;
  await parallel?.dispose();

  log(`${backend}: LayerDrop 0 against 0.5`);
  const half = all.map(() => 0.5);
  // Full and 0.5 steps alternate, so that both see the same drift of the machine. At p = 0.5 a
  // draw's complement is an equally likely draw: pairing them makes the 12 steps run exactly N/2
  // layers on average, so the ratio is not at the mercy of 12 coin flips.
  const draws = Array.from({ length: pathOnly ? PATH_CHECK.pairs : 6 }, () => sampleActiveLayers(half, rng)).flatMap((active) => [active, all.filter((l) => !active.includes(l))]);
  const layersRunAt05 = mean(draws.map((active) => active.length));
  const pairs = draws.map((active) => [step(all), step(active)]);
  const msAt0 = mean(pairs.map(([full]) => full));
  const msAt05 = mean(pairs.map(([, dropped]) => dropped));
  const ratio = mean(pairs.map(([full, dropped]) => dropped / full));

  log(`${backend}: evaluation, depth sweep, importance pass (peak RSS so far ${Math.round(process.resourceUsage().maxRSS / 1024)} MB)`);
  const batches = dataset.validBatches(config.train.batchSize, config.train.evalBatches ?? Infinity);
  // Layer evaluations counted on the real model: the cost in full passes without the machine's noise.
  let blocks = 0;
  const block = Transformer.prototype.block.bind(model);
  model.block = (stream, layer, options) => {
    blocks++;
    return block(stream, layer, options);
  };
  const inFullPasses = (run: () => unknown) => {
    blocks = 0;
    run();
    return +(blocks / (layers * batches.length)).toFixed(2);
  };
  const sweep = () => depthSweep(model, batches, (target) => everyOther(layers, target));
  const importance = () => layerStatistics(model, batches, dropStatistics(emptyCounters(layers), rates));
  const sweepPasses = inFullPasses(sweep);
  const importancePasses = inFullPasses(importance);
  // By the clock: each run between two full evaluations, as a multiple of their mean, three times over.
  const evalTimes = [msOf(() => evaluate(model, batches, all))];
  const clockCost = (run: () => unknown) => {
    const ms = msOf(run);
    evalTimes.push(msOf(() => evaluate(model, batches, all)));
    return ms / mean(evalTimes.slice(-2));
  };
  const sweepCosts: number[] = [];
  const importanceCosts: number[] = [];
  for (let round = 0; round < (pathOnly ? PATH_CHECK.rounds : 3); round++) {
    sweepCosts.push(clockCost(sweep));
    importanceCosts.push(clockCost(importance));
  }
  const evalMs = median(evalTimes);

  // Evaluation on every core against one thread, alternating on the same batches (and the same result, bit for bit).
  const oneThreadEvalMs: number[] = [];
  const allCoresEvalMs: number[] = [];
  if (threaded) {
    log(`${backend}: evaluation on ${cores} threads, alternating with one`);
    const evaluationThreads = await EvaluationThreads.attach(model, { kind: 'transformer', shape: model.shape, weights: weightsOf(model) }, backend, cores);
    const task = { kind: 'evaluate' as const, subnetworks: [all] };
    // A pass untimed first: a new thread's code is still being compiled.
    evaluationThreads.run(model, batches, task);
    for (let round = 0; round < 5; round++) {
      oneThreadEvalMs.push(msOf(() => batches.map((batch) => runBatchTask(model, batch, task))));
      allCoresEvalMs.push(msOf(() => evaluationThreads.run(model, batches, task)));
    }
    await evaluationThreads.dispose();
  }
  const gflops = probe.gflops('tfjs');
  const engineGflops = probe.gflops('engine');
  probe.dispose();
  const stepGflops = (3 * forwardFlops(config, activeSum / steps, dataset.tokenizer.vocabSize)) / (totalTrainMs / steps) / 1e6;
  model.dispose();
  optimizer.dispose();
  const gpu = activeGpu();
  return {
    backend,
    device: activeBackend()?.device,
    adapter: gpu && { ...gpu, note: pathOnly ? `a software adapter: a path check (${JSON.stringify(PATH_CHECK)}), not what a GPU does` : undefined },
    largeMatMulGflops: gpu ? largeMatMulGflops(pathOnly ? 256 : 2048) : undefined,
    trainTokensPerSecond: Math.round((tokensPerBatch * steps * 1000) / totalTrainMs),
    trainTokensPerSecondAllCores: threaded ? { threads: cores, tokensPerSecond: Math.round((tokensPerBatch * steps * 1000) / parallelMs) } : undefined,
    evalTokensPerSecond: Math.round((tokensPerBatch * batches.length * 1000) / evalMs),
    // Each pair measured in the same run, alternating: how much the other cores add.
    scaling: threaded
      ? {
          threads: cores,
          training: +(totalTrainMs / parallelMs).toFixed(2),
          evaluation: +(median(oneThreadEvalMs) / median(allCoresEvalMs)).toFixed(2),
          evalTokensPerSecondAllCores: Math.round((tokensPerBatch * batches.length * 1000) / median(allCoresEvalMs)),
        }
      : undefined,
    msPerStep: { layerdrop0: Math.round(msAt0), layerdrop05: Math.round(msAt05), ratio: +ratio.toFixed(2), layersRunAt05: +layersRunAt05.toFixed(2) },
    depthSweepCost: { fullEvaluations: +median(sweepCosts).toFixed(2), layerEvaluationsInFullPasses: sweepPasses },
    importancePassCost: { fullEvaluations: +median(importanceCosts).toFixed(2), layerEvaluationsInFullPasses: importancePasses },
    numTensors: { beforeSteps: tensorsBefore, afterSteps: tensorsAfter, steps },
    // Peak resident memory after single-thread training, and over the whole run (extra threads hold their own wasm heaps).
    peakRssMB: { oneThreadTraining: rssOneThreadMB, wholeRun: Math.round(process.resourceUsage().maxRSS / 1024) },
    kernels: onWasmHeap(backend) ? wasmKernelBuild() : undefined,
    matMul2dGflops: +gflops.toFixed(2),
    engineMatMul2dGflops: +engineGflops.toFixed(2),
    trainStepGflops: +stepGflops.toFixed(2),
    trainStepFractionOfMatMul: +(stepGflops / gflops).toFixed(2),
    trainStepFractionOfEngineMatMul: +(stepGflops / engineGflops).toFixed(2),
  };
}

/**
 * A GPT-2-small-shaped model (random weights the bench writes, 474 MB F32): forward tokens/s on one
 * 256-token window and peak RSS, in a child that only loads and runs it; the cost of the whole
 * analysis in full forward passes (layer evaluations counted on a 12-layer model); and, where
 * python3 has torch and transformers, PyTorch's one-thread speed on the same shapes.
 */
function pretrainedCosts(backend: ResolvedBackend) {
  const { folder, bytes } = writeGpt2();
  const forward = child(['--child', backend, '--gpt2', folder]);
  fs.rmSync(folder, { recursive: true, force: true });
  const ours = forward.status === 0 ? JSON.parse(forward.stdout) : { error: lastLine(forward.stderr) };
  const analysis = child(['--child', backend, '--analysis-cost']);
  const torch = spawnSync('python3', [path.join(__dirname, 'bench', 'torchGpt2.py')], { encoding: 'utf8' });
  const pytorch = torch.status === 0 ? JSON.parse(torch.stdout.trim().split('\n').pop()!) : { error: 'python3 with torch and transformers not found' };
  const weightsMB = Math.round(bytes / 2 ** 20);
  return {
    shape: GPT2_SMALL,
    window: WINDOW,
    weightsMB,
    forward: ours,
    peakRssBudgetMB: Math.round(1.3 * weightsMB + 400),
    pytorchOneThread: pytorch,
    fractionOfPytorch: ours.tokensPerSecond && pytorch.tokensPerSecond ? +(ours.tokensPerSecond / pytorch.tokensPerSecond).toFixed(2) : undefined,
    analysisCost: analysis.status === 0 ? JSON.parse(analysis.stdout) : { error: lastLine(analysis.stderr) },
  };
}

/** The Llama-3.2-1B-shaped folder, written once per bench run (2.5 GB) for every backend. */
const llama: { folder?: string; bytes?: number } = {};

/** Forward tokens/s of one window and the memory it took, in a child; a backend that refuses the model says why. */
function llamaCosts(backend: ResolvedBackend) {
  if (!llama.folder) Object.assign(llama, writeLlama1B());
  const forward = child(['--child', backend, '--llama', llama.folder!]);
  return { shape: 'Llama-3.2-1B', window: LLAMA_WINDOW, layers: LLAMA_1B.num_hidden_layers, fileGB: +(llama.bytes! / 2 ** 30).toFixed(2), forward: forward.status === 0 ? JSON.parse(forward.stdout) : { error: lastLine(forward.stderr) } };
}

/** Layer evaluations of the whole model analysis, in full forward passes, on a 12-layer GPT-2 small enough to run in seconds. */
async function analysisCost(backend: ResolvedBackend) {
  await selectBackend(backend);
  const { folder } = writeGpt2({ ...GPT2_SMALL, n_embd: 64, n_head: 4, vocab_size: 512, n_positions: 256 });
  const model = openGpt2(folder);
  let blocks = 0;
  const block = model.block.bind(model);
  model.block = (stream, layer) => {
    blocks++;
    return block(stream, layer);
  };
  const ids = Int32Array.from({ length: 64 }, (_, i) => (i * 31) % 512);
  measureDepth(model, [{ size: 1, length: 64, inputs: ids, targets: ids }], {});
  model.dispose();
  fs.rmSync(folder, { recursive: true, force: true });
  return { layers: 12, fullForwardPasses: +(blocks / 12).toFixed(1), plannedForwardPasses: +(plannedCost(phaseCosts(12), 'search-on-valid').blocks / 12).toFixed(1) };
}

async function main() {
  const childBackend = option('child') as ResolvedBackend | undefined;
  const vocabularyCase = option('vocabulary');
  const gpt2Folder = option('gpt2');
  if (childBackend && gpt2Folder) {
    await selectBackend(childBackend);
    const measured = await gpt2SmallForward(gpt2Folder, 3, activeGpu()?.software ? PATH_CHECK.window : WINDOW);
    process.stdout.write(JSON.stringify({ ...measured, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
    return;
  }
  const llamaFolder = option('llama');
  if (childBackend && llamaFolder) {
    await selectBackend(childBackend);
    process.stdout.write(JSON.stringify({ ...(await llama1BForward(llamaFolder, 2, activeGpu()?.software ? PATH_CHECK.window : LLAMA_WINDOW)), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
    return;
  }
  if (childBackend && args.includes('--analysis-cost')) {
    process.stdout.write(JSON.stringify(await analysisCost(childBackend)));
    return;
  }
  if (childBackend && vocabularyCase) {
    const [form, vocabulary] = vocabularyCase.split('@');
    process.stdout.write(JSON.stringify(await vocabularyProbe(childBackend, { form, vocabulary } as VocabularyCase)));
    return;
  }
  if (childBackend) {
    process.stdout.write(JSON.stringify(await measure(childBackend)));
    return;
  }
  const requested = (option('backends')?.split(',') ?? ALL_BACKENDS) as ResolvedBackend[];
  const results = [];
  for (const backend of requested) {
    const run = child(['--child', backend, '--steps', String(stepsAsked)], 'inherit');
    if (run.status !== 0) {
      log(`${backend}: not available here`);
      continue;
    }
    const measured = JSON.parse(run.stdout);
    const pathOnly = measured.adapter?.software === true;
    if (!pathOnly) log(`${backend}: embedding, head and loss at the reference vocabulary and at 50,257, gather against one-hot`);
    const vocabulary = pathOnly ? undefined : vocabularyCosts(backend);
    log(`${backend}: a GPT-2-small-shaped model (124M parameters), forward and analysis cost`);
    const gpt2Small = pretrainedCosts(backend);
    log(`${backend}: a Llama-3.2-1B-shaped model (1.24B parameters, BF16), forward`);
    results.push({ ...measured, vocabulary, gpt2Small, llama1B: llamaCosts(backend) });
  }
  fs.rmSync(llama.folder ?? '', { recursive: true, force: true });
  const cpus = os.cpus();
  const document = {
    date: new Date().toISOString(),
    machine: { cpu: cpus[0]?.model, cores: cpus.length, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, tfjs: tf.version_core },
    config: REFERENCE,
    results,
  };
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  // What threads: "auto" reads: one thread where a second one measured slower here.
  const wasm = results.find((result) => result.backend === 'wasm');
  if (wasm) {
    writeCalibration({ training: wasm.scaling.training, evaluation: wasm.scaling.evaluation });
    log(`thread scaling saved for threads: "auto" in ${calibrationFile()}`);
  }
  if (args.includes('--save')) {
    const file = path.join(__dirname, '..', 'bench', 'results', `${document.date.replace(/[:.]/g, '-')}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeJsonAtomic(file, document);
    log(`saved ${path.relative(process.cwd(), file)}`);
  }
}

main().catch((error: Error) => {
  log(`bench: ${error.message.split('\n')[0]}`);
  process.exit(1);
});
