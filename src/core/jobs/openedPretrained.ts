import { evaluationThreadCount, withEvaluationThreads } from '../evaluate/evaluationThreads';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runsTransformers } from '../backend/backends';
import { chooseBackend } from '../backend/selectBackend';
import { usePython } from '../backend/torchEngine';
import type { BackendName } from '../config/choices';
import { loadConfig } from '../config/loadConfig';
import { pretrainedReference } from '../config/pretrainedReference';
import { bundledDataFile } from '../config/bundledData';
import { UserError } from '../errors';
import { unreadableFile } from '../files/unreadableFile';
import { notUtf8Warning, textContent } from '../data/textContent';
import { PretrainedTokenizer } from '../data/pretrainedTokenizer';
import { openPretrained } from '../huggingface/openPretrained';
import { openOnTorch } from '../huggingface/torchPretrained';
import { modelFolderOf } from '../files/hubCache';
import { isPretrainedFolder, readPretrainedConfig, type PretrainedConfig } from '../huggingface/pretrainedConfig';
import type { PretrainedModel } from '../huggingface/pretrainedModel';
import { textCutter, textWindows } from '../data/textBatches';
import { otherLengths, type WindowCuts } from '../analysis/windowChoice';
import { ALL_TOKENS } from '../config/analysisBudget';
import { tokensIn, type Batch } from '../data/batch';
import type { LayerChoice } from '../prune/chooseLayers';
import type { JobContext } from './jobContext';

/** Which model folder, and the text to measure it on. */
export interface PretrainedRequest {
  folder: string;
  /** A UTF-8 text file; the bundled Moby Dick text when absent. */
  dataFile?: string;
  /** Tokens to measure on, at most (default 16,384). */
  tokens?: number;
  /** Positions per window (default 256, or what the model's positions allow). */
  window?: number;
  /** Evaluation threads, each reading the weights one layer at a time (default: one per core, at most 4). */
  threads?: number;
  /** The torch backend: run the model's own code from its folder (off unless asked). */
  trustRemoteCode?: boolean;
  /** The torch backend: accelerate's max_memory per device, e.g. {"0": "20GiB", "cpu": "60GiB"}. */
  maxMemory?: Record<string, string>;
  /** The torch backend: processes under torchrun, each a replica evaluating its share of the batches. */
  nprocPerNode?: number;
  /** The backend a config that names this model asks for (its train.backend), unless the job's context overrides it. */
  backend?: BackendName;
}

export interface MeasuredPretrained {
  folder: string;
  model: PretrainedModel;
  tokenizer: PretrainedTokenizer;
  batches: Batch[];
  /** The text: in words, its file (the bundled one's too), and how much of it was measured. */
  data: { source: string; file: string; tokens: number; window: number };
  /** The same text cut at other windows: a budget chooses among them where the request names no --window. */
  cuts: WindowCuts;
}

/**
 * The model a front end was pointed at: a Hugging Face folder, or a `*.depthlab.json` whose
 * `model.pretrained` names one (with its data and prune choices); undefined for anything else.
 */
export function pretrainedSource(source: string): (PretrainedRequest & LayerChoice) | undefined {
  const folder = modelFolderOf(source);
  if (folder && isPretrainedFolder(folder)) return { folder };
  if (!source.endsWith('.json') || !fs.existsSync(source) || fs.statSync(source).isDirectory()) return undefined;
  const loaded = loadConfig(source);
  const reference = pretrainedReference(loaded);
  // model.pretrained: a folder relative to the config, or a Hub id in the cache.
  return reference && { folder: modelFolderOf(reference.model, loaded.dir) ?? path.resolve(loaded.dir, reference.model), dataFile: reference.dataFile, strategy: reference.strategy, target: reference.target, metric: reference.metric, layers: reference.layers, backend: reference.backend };
}

/** Open a Hugging Face folder on the job's backend, cut the text into its batches, run `work`, and free the weights. */
export async function withPretrained<T>(request: PretrainedRequest, context: JobContext, work: (opened: MeasuredPretrained) => T | Promise<T>, validate?: (config: PretrainedConfig) => void): Promise<T> {
  const folder = path.resolve(request.folder);
  // Bad input is said before any backend is probed: a command that computes nothing wakes no GPU.
  const config = readPretrainedConfig(folder);
  PretrainedTokenizer.open(folder);
  if (request.dataFile) {
    const problem = unreadableFile(path.resolve(request.dataFile), 'text file (--data)');
    if (problem) throw new UserError(problem);
  }
  validate?.(config);
  usePython(context.python);
  const { backend, device, why, log } = await chooseBackend(context.backend ?? request.backend ?? 'auto', { pretrained: true });
  context.onEvent?.({ type: 'backend', backend, device, why, ...(log && { log }) });
  context.onEvent?.({ type: 'phase', phase: 'load', detail: `loading ${folder}` });
  const threads = evaluationThreadCount(request.threads);
  const { model, tokenizer } = runsTransformers(backend) ? openOnTorch(folder, request) : openPretrained(folder, backend, undefined, threads);
  try {
    const replica = () => ({ kind: 'pretrained' as const, folder });
    return await withEvaluationThreads(model, replica, backend, threads, () => work({ folder, model, tokenizer, ...measuredText(request, model, tokenizer, context) }));
  } finally {
    model.dispose();
  }
}

/** The request's text (the bundled Moby Dick by default) cut into the model's windows: the same windows and token ids on every backend. */
export function measuredText(request: PretrainedRequest, model: PretrainedModel, tokenizer: PretrainedTokenizer, context: JobContext): Pick<MeasuredPretrained, 'batches' | 'data' | 'cuts'> {
  const dataFile = request.dataFile ? path.resolve(request.dataFile) : bundledDataFile('language-model');
  const problem = unreadableFile(dataFile, 'text file (--data)');
  if (problem) throw new UserError(problem);
  const maxWindow = model.maxPositions - 2;
  const window = Math.min(request.window ?? 256, maxWindow);
  const content = textContent(fs.readFileSync(dataFile));
  if ('problem' in content) throw new UserError(`${dataFile} (--data) is ${content.problem}`);
  if (content.notUtf8) context.onEvent?.({ type: 'notice', text: notUtf8Warning(dataFile, content.notUtf8) });
  const cutter = textCutter(content.text, tokenizer, model.objective);
  const options = (length: number, batchSize: number) => ({ tokens: request.tokens ?? ALL_TOKENS, window: length, batchSize, seed: 1 });
  // The planner asks for the same cuts for every plan it weighs: each is made once.
  const made = new Map<string, Batch[]>();
  const cut = (length: number, batchSize: number) => {
    const key = `${length}×${batchSize}`;
    if (!made.has(key)) made.set(key, cutter.cut(options(length, batchSize)));
    return made.get(key)!;
  };
  const batches = textWindows(cutter, options(window, 4));
  const cuts = { length: window, others: request.window === undefined ? otherLengths(window, maxWindow) : [], cut };
  return { batches, data: { source: request.dataFile ? dataFile : 'Moby Dick (bundled)', file: dataFile, tokens: tokensIn(batches), window }, cuts };
}
