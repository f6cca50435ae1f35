/**
 * npm run bench [-- --backends wasm,cpu] [--steps 50] [--save]
 *
 * Every bench of DepthLab lives in this folder: this one (the reference config, referenceConfig.ts;
 * the vocabulary's cost, vocabularyProbe.ts; GPT-2 small and Llama-3.2-1B shapes, pretrainedCosts.ts),
 * `npm run bench:engines` (cpuEngines.ts) and their kept results in results/.
 *
 * Throughput of the reference config (issue 4: LM, 6 layers, dModel 128, 4 heads, ffn 512, seqLen 64,
 * batch 32, LayerDrop 0.2, Moby Dick characters) on every backend found, each in its own process so
 * that peak RSS and tensor counts are its own. Prints one JSON document; --save also writes it to
 * bench/results/. Not a test: the numbers depend on the machine, so it reports the training step's
 * effective GFLOP/s as a fraction of a plain 2D matMul's (TF.js's and the engine's) measured in the
 * same process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ResolvedBackend } from '../src/core/backend/backendDescription';
import { runsTransformers } from '../src/core/backend/backends';
import { chooseBackend } from '../src/core/backend/selectBackend';
import * as tf from '../src/core/backend/tf';
import { calibrationFile, writeCalibration } from '../src/core/backend/threadCount';
import { activeGpu } from '../src/core/backend/webgpu/webgpuBackend';
import { writeJsonAtomic } from '../src/core/files/atomicWrite';
import { analysisSeconds } from './benchModel';
import { benchChild } from './benchChild';
import { commandJson } from './commandJson';
import { gpt2SmallForward, WINDOW } from './gpt2Small';
import { LLAMA_WINDOW, llama1BForward } from './llama1B';
import { analysisCost, llama, llamaCosts, pretrainedCosts } from './pretrainedCosts';
import { measureReference, PATH_CHECK, REFERENCE } from './referenceConfig';
import { log } from './timing';
import { vocabularyCosts, vocabularyProbe, type VocabularyCase } from './vocabularyProbe';

const ALL_BACKENDS: ResolvedBackend[] = ['torch', 'webgpu', 'tensorflow-gpu', 'tensorflow', 'onnxruntime', 'wasm', 'cpu'];

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? undefined : args[i + 1];
};
const stepsAsked = Number(option('steps') ?? 50);

async function main() {
  const childBackend = option('child') as ResolvedBackend | undefined;
  const vocabularyCase = option('vocabulary');
  const gpt2Folder = option('gpt2');
  if (childBackend && gpt2Folder) {
    await chooseBackend(childBackend, { pretrained: true });
    const measured = await gpt2SmallForward(gpt2Folder, 3, activeGpu()?.software ? PATH_CHECK.window : WINDOW);
    process.stdout.write(JSON.stringify({ ...measured, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
    return;
  }
  const llamaFolder = option('llama');
  if (childBackend && llamaFolder) {
    await chooseBackend(childBackend, { pretrained: true });
    process.stdout.write(JSON.stringify({ ...(await llama1BForward(llamaFolder, 2, activeGpu()?.software ? PATH_CHECK.window : LLAMA_WINDOW)), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
    return;
  }
  const analyzed = option('analyze');
  if (childBackend && analyzed) {
    process.stdout.write(JSON.stringify(await analysisSeconds(analyzed, childBackend, Number(option('tokens')))));
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
    process.stdout.write(JSON.stringify(await measureReference(childBackend, stepsAsked)));
    return;
  }
  const requested = (option('backends')?.split(',') ?? ALL_BACKENDS) as ResolvedBackend[];
  const results = [];
  for (const backend of requested) {
    // The torch backend runs Hugging Face models only: no reference config to train, no vocabulary probes.
    const huggingFaceOnly = runsTransformers(backend);
    const run = huggingFaceOnly ? undefined : benchChild(['--child', backend, '--steps', String(stepsAsked)], 'inherit');
    if (run && run.status !== 0) {
      log(`${backend}: not available here`);
      continue;
    }
    const measured = run ? JSON.parse(run.stdout) : { backend, note: "DepthLab's own configs do not train on this backend: Hugging Face shapes only" };
    const pathOnly = huggingFaceOnly || measured.adapter?.software === true;
    if (!pathOnly) log(`${backend}: embedding, head and loss at the reference vocabulary and at 50,257, gather against one-hot`);
    const vocabulary = pathOnly ? undefined : vocabularyCosts(backend);
    log(`${backend}: a GPT-2-small-shaped model (124M parameters), forward and analysis cost`);
    const gpt2Small = pretrainedCosts(backend);
    log(`${backend}: a Llama-3.2-1B-shaped model (1.24B parameters, BF16), forward`);
    results.push({ ...measured, vocabulary, gpt2Small, llama1B: llamaCosts(backend) });
  }
  fs.rmSync(llama.folder ?? '', { recursive: true, force: true });
  const cpus = os.cpus();
  log(`PyTorch: the reference config's training on one thread and on ${cpus.length}`);
  const pytorch = commandJson('python3', [path.join(__dirname, 'pytorchReference.py'), '--speed', String(stepsAsked), String(cpus.length)]);
  for (const result of results) {
    if (result.trainTokensPerSecond === undefined || pytorch.error) continue;
    result.againstPytorch = { oneThread: +(result.trainTokensPerSecond / pytorch.trainTokensPerSecond).toFixed(2), allCores: result.trainTokensPerSecondAllCores && +(result.trainTokensPerSecondAllCores.tokensPerSecond / pytorch.trainTokensPerSecondAllCores.tokensPerSecond).toFixed(2) };
  }
  const document = {
    date: new Date().toISOString(),
    machine: { cpu: cpus[0]?.model, cores: cpus.length, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, tfjs: tf.version_core },
    config: REFERENCE,
    results,
    pytorch,
  };
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  // What threads: "auto" reads: one thread where a second one measured slower here, backend by backend.
  for (const result of results) {
    if (!result.scaling) continue;
    writeCalibration(result.backend, { training: result.scaling.training, evaluation: result.scaling.evaluation });
    log(`${result.backend}: thread scaling saved for threads: "auto" in ${calibrationFile()}`);
  }
  if (args.includes('--save')) {
    const file = path.join(__dirname, 'results', `${document.date.replace(/[:.]/g, '-')}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeJsonAtomic(file, document);
    log(`saved ${path.relative(process.cwd(), file)}`);
  }
}

main().catch((error: Error) => {
  log(`bench: ${error.message.split('\n')[0]}`);
  process.exit(1);
});
