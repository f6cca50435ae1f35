import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ResolvedBackend } from '../src/core/backend/backendDescription';
import { onWasmHeap } from '../src/core/backend/backends';
import { activeBackend, selectBackend } from '../src/core/backend/selectBackend';
import * as tf from '../src/core/backend/tf';
import { activeGpu } from '../src/core/backend/webgpu/webgpuBackend';
import { wasmKernelBuild } from '../src/core/backend/wasm/wasmKernels';
import { parseConfig } from '../src/core/config/loadConfig';
import type { DepthLabConfig } from '../src/core/config/schema';
import type { Batch } from '../src/core/data/batch';
import type { Dataset } from '../src/core/data/dataset';
import { loadDataset } from '../src/core/data/loadDataset';
import { runBatchTask } from '../src/core/evaluate/batchTasks';
import { depthSweep } from '../src/core/evaluate/depthSweep';
import { evaluate } from '../src/core/evaluate/evaluate';
import { EvaluationThreads } from '../src/core/evaluate/evaluationThreads';
import { sampleActiveLayers } from '../src/core/model/layerDrop';
import { weightsOf } from '../src/core/model/modelWeights';
import { Transformer } from '../src/core/model/transformer';
import { everyOther } from '../src/core/prune/everyOther';
import { Rng } from '../src/core/random/rng';
import { dropStatistics, emptyCounters } from '../src/core/statistics/dropStatistics';
import { layerStatistics } from '../src/core/statistics/importance';
import { adamWFor, type AdamW } from '../src/core/train/adamW';
import { DataParallel } from '../src/core/train/dataParallel';
import { trainingStep } from '../src/core/train/trainingStep';
import { largeMatMulGflops, matMulProbe } from './matMulProbe';
import { log, mean, median, msOf } from './timing';

/** Issue 4's reference config: LM, 6 layers, dModel 128, 4 heads, ffn 512, seqLen 64, batch 32, LayerDrop 0.2, Moby Dick characters. */
export const REFERENCE = {
  name: 'bench-reference',
  task: 'language-model',
  model: { layers: 6, dModel: 128, heads: 4, ffn: 512, seqLen: 64, dropout: 0.1 },
  layerdrop: { rate: 0.2 },
  train: { batchSize: 32, evalBatches: 8, lr: 0.001, seed: 1 },
};

/** Backends whose threads each hold a wasm instance or a JS engine: the thread scaling is theirs to measure. */
const THREADED: ResolvedBackend[] = ['onnxruntime', 'wasm', 'cpu'];

/**
 * On a software GPU adapter (SwiftShader runs TF.js's shaders at about 0.6 GFLOP/s here) the bench
 * only shows that every path runs: batches of 4, two steps, one round of each measurement, 16-token
 * windows for the pretrained models, no vocabulary probes.
 */
export const PATH_CHECK = { batchSize: 4, evalBatches: 2, steps: 2, pairs: 1, rounds: 1, window: 16 };

/** Multiply-adds ×2 of the forward pass through `active` layers: the dense layers, attention's two products, the LM head. */
function forwardFlops(config: DepthLabConfig, active: number, vocab: number): number {
  const { dModel: d, ffn, seqLen: t } = config.model;
  const tokens = config.train.batchSize * t;
  const dense = 2 * tokens * (3 * d * d + d * d + 2 * d * ffn);
  const attention = 2 * 2 * config.train.batchSize * t * t * d;
  return active * (dense + attention) + 2 * tokens * d * vocab;
}

/** The reference model on one backend, as every measurement below uses it. */
interface ReferenceBench {
  backend: ResolvedBackend;
  config: DepthLabConfig;
  dataset: Dataset;
  rng: Rng;
  model: Transformer;
  optimizer: AdamW;
  all: number[];
  steps: number;
  pathOnly: boolean;
  threaded: boolean;
  cores: number;
  /** One training step on one thread through `active` layers, in milliseconds. */
  step(active: number[]): number;
}

async function openReference(backend: ResolvedBackend, stepsAsked: number): Promise<ReferenceBench> {
  await selectBackend(backend);
  const pathOnly = activeGpu()?.software === true;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-bench-'));
  const reference = pathOnly ? { ...REFERENCE, train: { ...REFERENCE.train, batchSize: PATH_CHECK.batchSize, evalBatches: PATH_CHECK.evalBatches } } : REFERENCE;
  const loaded = parseConfig(JSON.stringify(reference), path.join(dir, 'reference.depthlab.json'));
  const config = loaded.config;
  const dataset = loadDataset(loaded);
  const rng = new Rng(config.train.seed);
  const model = new Transformer({ task: 'language-model', vocabSize: dataset.tokenizer.vocabSize, numClasses: 0, model: config.model }, rng);
  const optimizer = adamWFor(model, config.train.weightDecay);
  const step = (active: number[]) => {
    const batch: Batch = dataset.trainBatch(rng, config.train.batchSize);
    return msOf(() => trainingStep(model, optimizer, batch, active, config.train.lr, config.train.clipNorm, rng));
  };
  const all = Array.from({ length: config.model.layers }, (_, l) => l);
  return { backend, config, dataset, rng, model, optimizer, all, steps: pathOnly ? PATH_CHECK.steps : stepsAsked, pathOnly, threaded: THREADED.includes(backend), cores: Math.max(2, os.cpus().length), step };
}

/**
 * Training at the config's LayerDrop on one thread and on every core (data-parallel threads, on
 * backends whose threads hold an engine each). The two alternate in blocks of a few steps, on the
 * same layers, so that both see the same drift of the machine while each runs steps back to back as
 * training does (a thread starts its next step while the main one is between steps); which goes
 * first alternates too. The matMul probe samples its ceiling between blocks.
 */
async function trainingThroughput(bench: ReferenceBench, probe: ReturnType<typeof matMulProbe>) {
  const { backend, config, dataset, rng, model, optimizer, all, steps, threaded, cores } = bench;
  log(`${backend}: warm-up`);
  bench.step(all);
  bench.step(all);
  // Single-thread training's peak, before a second wasm instance joins the process.
  const rssOneThreadMB = Math.round(process.resourceUsage().maxRSS / 1024);
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
  log(`${backend}: ${steps} training steps at LayerDrop ${config.layerdrop.rate} on one thread${threaded ? `, alternating with ${steps} on ${cores} data-parallel threads` : ''}`);
  const rates = all.map(() => config.layerdrop.rate);
  let activeSum = 0;
  let oneThreadMs = 0;
  let parallelMs = 0;
  const BLOCK = 5;
  for (let first = 0; first < steps; first += BLOCK) {
    const block = Array.from({ length: Math.min(BLOCK, steps - first) }, () => sampleActiveLayers(rates, rng));
    activeSum += block.reduce((sum, active) => sum + active.length, 0);
    const oneThread = () => block.forEach((active) => (oneThreadMs += bench.step(active)));
    if ((first / BLOCK) % 2 === 0) oneThread();
    for (const active of block) parallelMs += await parallelStep(active);
    if ((first / BLOCK) % 2 === 1) oneThread();
    probe.sample();
  }
  const tensorsAfter = tf.memory().numTensors;
  await parallel?.dispose();
  return { oneThreadMs, parallelMs, activeSum, rssOneThreadMB, tensorsBefore, tensorsAfter };
}

/**
 * A step at LayerDrop 0 against one at 0.5. Full and 0.5 steps alternate, so that both see the same
 * drift of the machine. At p = 0.5 a draw's complement is an equally likely draw: pairing them makes
 * the 12 steps run exactly N/2 layers on average, so the ratio is not at the mercy of 12 coin flips.
 */
function layerDropCost(bench: ReferenceBench) {
  const { all, rng } = bench;
  log(`${bench.backend}: LayerDrop 0 against 0.5`);
  const half = all.map(() => 0.5);
  const draws = Array.from({ length: bench.pathOnly ? PATH_CHECK.pairs : 6 }, () => sampleActiveLayers(half, rng)).flatMap((active) => [active, all.filter((l) => !active.includes(l))]);
  const pairs = draws.map((active) => [bench.step(all), bench.step(active)]);
  return {
    layerdrop0: Math.round(mean(pairs.map(([full]) => full))),
    layerdrop05: Math.round(mean(pairs.map(([, dropped]) => dropped))),
    ratio: +mean(pairs.map(([full, dropped]) => dropped / full)).toFixed(2),
    layersRunAt05: +mean(draws.map((active) => active.length)).toFixed(2),
  };
}

/**
 * The depth sweep and the importance pass: in full passes by counting layer evaluations on the real
 * model (the cost without the machine's noise), and by the clock, each run between two full
 * evaluations as a multiple of their mean, three times over.
 */
function analysisCosts(bench: ReferenceBench, batches: Batch[]) {
  const { model, all } = bench;
  const layers = all.length;
  log(`${bench.backend}: evaluation, depth sweep, importance pass (peak RSS so far ${Math.round(process.resourceUsage().maxRSS / 1024)} MB)`);
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
  const importance = () => layerStatistics(model, batches, dropStatistics(emptyCounters(layers), all.map(() => bench.config.layerdrop.rate)));
  const sweepPasses = inFullPasses(sweep);
  const importancePasses = inFullPasses(importance);
  const evalTimes = [msOf(() => evaluate(model, batches, all))];
  const clockCost = (run: () => unknown) => {
    const ms = msOf(run);
    evalTimes.push(msOf(() => evaluate(model, batches, all)));
    return ms / mean(evalTimes.slice(-2));
  };
  const sweepCosts: number[] = [];
  const importanceCosts: number[] = [];
  for (let round = 0; round < (bench.pathOnly ? PATH_CHECK.rounds : 3); round++) {
    sweepCosts.push(clockCost(sweep));
    importanceCosts.push(clockCost(importance));
  }
  return {
    evalMs: median(evalTimes),
    depthSweepCost: { fullEvaluations: +median(sweepCosts).toFixed(2), layerEvaluationsInFullPasses: sweepPasses },
    importancePassCost: { fullEvaluations: +median(importanceCosts).toFixed(2), layerEvaluationsInFullPasses: importancePasses },
  };
}

/** Evaluation on every core against one thread, alternating on the same batches (and the same result, bit for bit); the medians of five rounds. */
async function evaluationScaling(bench: ReferenceBench, batches: Batch[]) {
  const { model, all, cores } = bench;
  log(`${bench.backend}: evaluation on ${cores} threads, alternating with one`);
  const evaluationThreads = await EvaluationThreads.attach(model, { kind: 'transformer', shape: model.shape, weights: weightsOf(model) }, bench.backend, cores);
  const task = { kind: 'evaluate' as const, subnetworks: [all] };
  // A pass untimed first: a new thread's code is still being compiled.
  evaluationThreads.run(model, batches, task);
  const oneThreadMs: number[] = [];
  const allCoresMs: number[] = [];
  for (let round = 0; round < 5; round++) {
    oneThreadMs.push(msOf(() => batches.map((batch) => runBatchTask(model, batch, task))));
    allCoresMs.push(msOf(() => evaluationThreads.run(model, batches, task)));
  }
  await evaluationThreads.dispose();
  return { oneThreadMs: median(oneThreadMs), allCoresMs: median(allCoresMs) };
}

/**
 * The reference config on one backend: training on one thread and on every core, what LayerDrop
 * saves a step, what the analysis costs in full evaluations, evaluation on every core, and the
 * training step's effective GFLOP/s as a fraction of a plain 2D matMul's (TF.js's and the
 * engine's) measured in the same process.
 */
export async function measureReference(backend: ResolvedBackend, stepsAsked: number) {
  const bench = await openReference(backend, stepsAsked);
  const { config, dataset, model, optimizer, steps, threaded, cores } = bench;
  const tokensPerBatch = config.train.batchSize * config.model.seqLen;
  const probe = matMulProbe();
  const training = await trainingThroughput(bench, probe);
  const msPerStep = layerDropCost(bench);
  const batches = dataset.validBatches(config.train.batchSize, config.train.evalBatches ?? Infinity);
  const analysis = analysisCosts(bench, batches);
  const scaling = threaded ? await evaluationScaling(bench, batches) : undefined;
  const gflops = probe.gflops('tfjs');
  const engineGflops = probe.gflops('engine');
  probe.dispose();
  const stepGflops = (3 * forwardFlops(config, training.activeSum / steps, dataset.tokenizer.vocabSize)) / (training.oneThreadMs / steps) / 1e6;
  model.dispose();
  optimizer.dispose();
  const gpu = activeGpu();
  return {
    backend,
    device: activeBackend()?.device,
    adapter: gpu && { ...gpu, note: bench.pathOnly ? `a software adapter: a path check (${JSON.stringify(PATH_CHECK)}), not what a GPU does` : undefined },
    largeMatMulGflops: gpu ? largeMatMulGflops(bench.pathOnly ? 256 : 2048) : undefined,
    trainTokensPerSecond: Math.round((tokensPerBatch * steps * 1000) / training.oneThreadMs),
    trainTokensPerSecondAllCores: threaded ? { threads: cores, tokensPerSecond: Math.round((tokensPerBatch * steps * 1000) / training.parallelMs) } : undefined,
    evalTokensPerSecond: Math.round((tokensPerBatch * batches.length * 1000) / analysis.evalMs),
    // Each pair measured in the same run, alternating: how much the other cores add.
    scaling: scaling && {
      threads: cores,
      training: +(training.oneThreadMs / training.parallelMs).toFixed(2),
      evaluation: +(scaling.oneThreadMs / scaling.allCoresMs).toFixed(2),
      evalTokensPerSecondAllCores: Math.round((tokensPerBatch * batches.length * 1000) / scaling.allCoresMs),
    },
    msPerStep,
    depthSweepCost: analysis.depthSweepCost,
    importancePassCost: analysis.importancePassCost,
    numTensors: { beforeSteps: training.tensorsBefore, afterSteps: training.tensorsAfter, steps },
    // Peak resident memory after single-thread training, and over the whole run (extra threads hold their own wasm heaps).
    peakRssMB: { oneThreadTraining: training.rssOneThreadMB, wholeRun: Math.round(process.resourceUsage().maxRSS / 1024) },
    kernels: onWasmHeap(backend) ? wasmKernelBuild() : undefined,
    matMul2dGflops: +gflops.toFixed(2),
    engineMatMul2dGflops: +engineGflops.toFixed(2),
    trainStepGflops: +stepGflops.toFixed(2),
    trainStepFractionOfMatMul: +(stepGflops / gflops).toFixed(2),
    trainStepFractionOfEngineMatMul: +(stepGflops / engineGflops).toFixed(2),
  };
}
