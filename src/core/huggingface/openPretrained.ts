import * as os from 'node:os';
import { UserError } from '../errors';
import { bindingLimit, onWasmHeap, usesGpu } from '../backend/backends';
import { activeBackend } from '../backend/selectBackend';
import { WASM_HEAP_BYTES } from '../model/trainingMemory';
import { PretrainedTokenizer } from '../data/pretrainedTokenizer';
import { familyOf } from './families/families';
import { readPretrainedConfig, type PretrainedConfig } from './pretrainedConfig';
import type { PretrainedModel } from './pretrainedModel';
import { PretrainedWeights } from './pretrainedWeights';
import { layerOf } from './layerNames';
import { RESIDENT_TABLE_BYTES, TABLE_BLOCK_BYTES } from './vocabularyTable';
import { openWeights, type WeightFiles } from './weightFiles';

/** Headroom for one evaluation's activations at the default window, on top of the F32 weights. */
const ACTIVATION_BYTES = 400 * 2 ** 20;

export interface OpenedPretrained {
  model: PretrainedModel;
  tokenizer: PretrainedTokenizer;
}

/**
 * Past this much float32 a CPU backend streams a model one layer at a time; below it the calling
 * thread holds the model and skips the layer reads (GPT-2 small: 0.1 s of a window's 2 s on the
 * 2-core machine). Its evaluation threads read layer by layer either way (evaluationThread.ts).
 */
const STREAM_ABOVE_BYTES = 2 * 2 ** 30;

/** Bytes of a tensor as float32. */
const f32Bytes = (shape: number[]) => 4 * shape.reduce((a, b) => a * b, 1);
const wholeBytes = (files: WeightFiles) => [...files.entries.values()].reduce((sum, entry) => sum + f32Bytes(entry.shape), 0);

/** Whether a model is streamed one layer at a time: on a CPU backend, when it is big. */
export const streamsLayers = (backend: string, files: WeightFiles) => !usesGpu(backend) && wholeBytes(files) > STREAM_ABOVE_BYTES;

/**
 * The memory a model needs once loaded, as float32 plus the activations' headroom: every tensor, or
 * when streamed the largest layer and the tensors outside the layers (of a table past 256 MiB, one
 * 64 MiB block).
 */
export function memoryNeeded(files: WeightFiles, config: PretrainedConfig, streamed: boolean): { weightBytes: number; totalBytes: number; what: string } {
  if (!streamed) {
    const weightBytes = wholeBytes(files);
    return { weightBytes, totalBytes: weightBytes + ACTIVATION_BYTES, what: 'weights as float32' };
  }
  const vocabulary = config.number('vocab_size');
  const byLayer = new Map<string, number>();
  let outside = 0;
  for (const entry of files.entries.values()) {
    const layer = layerOf(entry.name);
    if (layer !== undefined) byLayer.set(layer, (byLayer.get(layer) ?? 0) + f32Bytes(entry.shape));
    else outside += entry.shape[0] === vocabulary && f32Bytes(entry.shape) > RESIDENT_TABLE_BYTES ? TABLE_BLOCK_BYTES : f32Bytes(entry.shape);
  }
  const weightBytes = Math.max(0, ...byLayer.values()) + outside;
  return { weightBytes, totalBytes: weightBytes + ACTIVATION_BYTES, what: 'of float32 weights held at once, one layer at a time' };
}

const gb = (bytes: number) => (bytes / 2 ** 30).toFixed(1);

/**
 * Refuse, before a byte of weights is read, a model the backend cannot hold: past the wasm heap even
 * one layer at a time, on a CPU past the machine's memory with its `threads` (each evaluation thread
 * beyond the first holds one layer at a time and its own activations), or on a GPU a tensor past the
 * adapter's binding limit (every tensor but the vocabulary tables, which are cut into blocks, is
 * bound whole). Returns the memory the model needs on the calling thread.
 */
export function refuseWhatCannotFit(folder: string, files: WeightFiles, config: PretrainedConfig, backend: string, threads = 1, machineBytes = os.totalmem()): ReturnType<typeof memoryNeeded> {
  const needed = memoryNeeded(files, config, streamsLayers(backend, files));
  if (onWasmHeap(backend) && needed.totalBytes > WASM_HEAP_BYTES) {
    throw new UserError(
      `${folder}: needs about ${gb(needed.totalBytes)} GB (${gb(needed.weightBytes)} GB ${needed.what}, plus activations); the wasm backend holds at most ${gb(WASM_HEAP_BYTES)} GB. Install @tensorflow/tfjs-node (npm install @tensorflow/tfjs-node) to use native memory, or run on a GPU (--backend webgpu).`,
    );
  }
  if (Number.isFinite(bindingLimit())) refuseUnbindable(folder, files, config, needed.totalBytes);
  else refuseBeyondMachine(folder, needed, memoryNeeded(files, config, true).totalBytes, threads, machineBytes);
  return needed;
}

/** The calling thread's need plus each other evaluation thread's, against the machine's memory; says how many threads fit, if any. */
function refuseBeyondMachine(folder: string, needed: ReturnType<typeof memoryNeeded>, perThread: number, threads: number, machineBytes: number): void {
  const total = (count: number) => needed.totalBytes + (count - 1) * perThread;
  if (total(threads) <= machineBytes) return;
  const threadText = threads > 1 ? `; its ${threads - 1} other evaluation thread${threads > 2 ? 's' : ''}, one layer at a time, add ${gb((threads - 1) * perThread)} GB` : '';
  let fitting = threads - 1;
  while (fitting >= 1 && total(fitting) > machineBytes) fitting--;
  const way = fitting >= 1 ? `--threads ${fitting} fits (${gb(total(fitting))} GB)` : 'Run on a GPU (--backend webgpu), whose memory holds the weights';
  throw new UserError(`${folder}: needs about ${gb(total(threads))} GB of memory (${gb(needed.weightBytes)} GB ${needed.what}, plus activations${threadText}); this machine has ${gb(machineBytes)} GB. ${way}.`);
}

function refuseUnbindable(folder: string, files: WeightFiles, config: PretrainedConfig, totalBytes: number): void {
  const limit = bindingLimit();
  const vocabulary = config.number('vocab_size');
  for (const [name, entry] of files.entries) {
    const bytes = f32Bytes(entry.shape);
    if (entry.shape[0] === vocabulary || bytes <= limit) continue;
    throw new UserError(
      `${folder}: ${name} is ${gb(bytes)} GB as float32, past what ${activeBackend()?.device ?? 'the GPU'} binds at once (${gb(limit)} GB); the model needs about ${gb(totalBytes)} GB of GPU memory in all`,
    );
  }
}

/**
 * A Hugging Face folder opened for analysis: config checked, memory estimated before a byte of
 * weights is read (a model that cannot fit, with the evaluation threads that will share its work,
 * is refused with what it needs), the family's model built tensor by tensor (a big one on the CPU
 * one layer at a time, the rest left in the file; `stream` decides instead), and the model's own
 * tokenizer.
 */
export function openPretrained(folder: string, backend: string, stream?: boolean, threads = 1): OpenedPretrained {
  const config = readPretrainedConfig(folder);
  const family = familyOf(config);
  const tokenizer = PretrainedTokenizer.open(folder);
  const files = openWeights(folder);
  refuseWhatCannotFit(folder, files, config, backend, threads);
  const weights = new PretrainedWeights(files, family.basePrefix(config), stream ?? streamsLayers(backend, files));
  try {
    const model = family.open(config, weights);
    return { model, tokenizer };
  } catch (error) {
    weights.dispose();
    throw error;
  }
}
