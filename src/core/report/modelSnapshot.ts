import * as fs from 'node:fs';
import * as path from 'node:path';
import { modelLabel } from '../files/hubCache';
import type { PickerTarget } from '../layerLists/pickerTarget';
import type { RunListEntry, RunSnapshot } from '../run/runSnapshot';
import { precisionText } from './precisionText';
import { readModelAnalysis } from '../run/modelAnalysisFile';

/** The Depth Explorer's id of a model folder's analysis: the folder, so every front end finds it again. */
export const MODEL_ID_PREFIX = 'model:';
export const modelId = (folder: string) => `${MODEL_ID_PREFIX}${folder}`;
export const folderOfModelId = (id: string) => (id.startsWith(MODEL_ID_PREFIX) ? id.slice(MODEL_ID_PREFIX.length) : undefined);

/** The model folder an analysis file is of: the one it names (a cached model's analysis lives in the workspace), else the folder around its `.depthlab/`. */
function analysedFolder(file: string): string {
  try {
    const folder = (JSON.parse(fs.readFileSync(file, 'utf8')) as { folder?: unknown }).folder;
    if (typeof folder === 'string') return folder;
  } catch {
    // An unreadable file still names its model by where it is; opening it says what is wrong.
  }
  return path.dirname(path.dirname(file));
}

/** Analysed models found by their `analysis.json`, for the explorer's dropdown beside the runs, each named by its Hub id or its folder's name. */
export function modelList(analysisFiles: readonly string[]): RunListEntry[] {
  return analysisFiles.map((file) => {
    const folder = analysedFolder(file);
    return { kind: 'model', id: modelId(folder), configFile: path.join(folder, 'config.json'), label: `${modelLabel(folder)} (Hugging Face)`, status: 'completed', step: 0, steps: 0 };
  });
}

/** A model's analysis shown as the explorer shows a run: importance per layer and the chosen strategy's sweep; no training curves. */
export function modelSnapshot(folder: string): RunSnapshot | undefined {
  const analysis = readModelAnalysis(folder);
  if (!analysis) return undefined;
  return {
    kind: 'model',
    id: modelId(folder),
    configFile: path.join(folder, 'config.json'),
    task: 'language-model',
    status: 'completed',
    step: 0,
    steps: 0,
    backend: analysis.modelType,
    layers: analysis.layers,
    layerdropRate: analysis.layerdrop ?? 0,
    trainLoss: [],
    validLoss: [],
    drops: analysis.statistics,
    importance: { fullLoss: analysis.fullLoss, layers: analysis.statistics },
    sweep: { strategy: analysis.strategy, target: analysis.target, keep: analysis.keep, rows: analysis.sweeps[analysis.strategy] ?? [], margin: analysis.margin },
    sweeps: analysis.sweeps,
    angularDistance: analysis.angularDistance,
    parts: analysis.parts,
    sublayerSearch: analysis.sublayerSearch,
    precision: precisionText(analysis),
  };
}

/** The picker on a model: its layers, the analysis's choice checked; what it commits is an export, not a file edit. */
export function modelPickerTarget(folder: string): PickerTarget | undefined {
  const analysis = readModelAnalysis(folder);
  return analysis && { file: path.join(folder, 'config.json'), key: analysis.layerCountKey, occurrence: 0, layers: analysis.layers, kept: analysis.keep };
}
