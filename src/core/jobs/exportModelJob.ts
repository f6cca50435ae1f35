import * as fs from 'node:fs';
import { tokensIn } from '../data/batch';
import * as path from 'node:path';
import { evaluateTogether, type Evaluation } from '../evaluate/evaluate';
import { activeBackend } from '../backend/selectBackend';
import { modelSize, withCutCost } from '../evaluate/cutCost';
import { prunedModelHandoffs } from '../export/prunedModelHandoffs';
import { folderIdentity, textHash, writePlan } from '../export/prunePlan';
import { trainingHandoff } from '../export/trainingHandoff';
import { modelCard } from '../export/modelCard';
import { modelLabel, snapshotOf } from '../files/hubCache';
import { writable } from '../files/writable';
import { readModelAnalysis } from '../run/modelAnalysisFile';
import { writePrunedFolder } from '../export/prunedFolder';
import { chooseLayers, type LayerChoice } from '../prune/chooseLayers';
import { keptLayers } from '../prune/keptLayers';
import { dropStatistics, emptyCounters } from '../statistics/dropStatistics';
import { layerStatistics } from '../statistics/importance';
import type { JobContext } from './jobContext';
import { withPretrained, type PretrainedRequest } from './openedPretrained';

export interface ExportModelRequest extends PretrainedRequest, LayerChoice {
  /** Output folder; default: `<model folder>-keep-0-2-5` beside it. */
  out?: string;
}

export interface ExportModelResult {
  folder: string;
  out: string;
  layers: number;
  keep: number[];
  chosenBy: string;
  before: Evaluation;
  after: Evaluation;
  files: string[];
  /** Hand-offs the cut cannot be expressed in, and why (also in the folder's README). */
  leftOut: string[];
}

/**
 * A pruned Hugging Face folder: the given layers, else the strategy's at the target, else the
 * model's saved analysis's choice, else every other layer; evaluated before and after on the text,
 * written with its model card.
 */
export function exportModelJob(request: ExportModelRequest, context: JobContext): Promise<ExportModelResult> {
  return withPretrained(request, context, ({ folder, model, batches, data }) => {
    const saved = readModelAnalysis(folder);
    const choices = {
      model,
      batches,
      prune: { strategy: saved?.strategy ?? 'every-other', metric: saved?.metric ?? 'loss-increase', targetLayers: saved?.target },
      statistics: () => saved?.statistics ?? layerStatistics(model, batches, dropStatistics(emptyCounters(model.layers), new Array(model.layers).fill(0))).layers,
      angularDistances: saved && (() => saved.angularDistance),
    } as const;
    const keep = chooseLayers(choices, request, saved?.keep);
    const asked = request.strategy !== undefined || request.target !== undefined;
    const chosenBy = request.layers
      ? 'hand (--layers)'
      : asked
        ? `${request.strategy ?? choices.prune.strategy} at depth ${keep.length}`
        : saved
          ? `the saved analysis: ${saved.strategy} at depth ${saved.target}`
          : `every-other at depth ${keep.length} (the default)`;
    context.onEvent?.({ type: 'phase', phase: 'evaluate', detail: `evaluating the full model and layers ${keep.join(',')}` });
    const all = Array.from({ length: model.layers }, (_, l) => l);
    const [before, after] = evaluateTogether(model, batches, [all, keep]);
    const out = path.resolve(request.out ?? defaultOut(folder, keep));
    const handoffs = prunedModelHandoffs(model, folder, keep);
    const tokensPerBatch = tokensIn(batches) / batches.length;
    const [costBefore, costAfter] = withCutCost([before, after], modelSize(model), tokensPerBatch);
    const card = modelCard(model, { source: folder, keep, chosenBy, before, after, data, leftOut: handoffs.leftOut, cost: { before: costBefore, after: costAfter, backend: activeBackend()?.backend ?? 'auto' } });
    const training = Object.entries(trainingHandoff(model.objective === 'causal-lm' ? 'decoder' : 'encoder', model.layers, keep)).map(([name, text]) => [`training-handoff/${name}`, text]);
    const source = { config: model.config, family: model.family, files: model.weights.files, layerPrefix: model.layerPrefix, basePrefix: model.weights.basePrefix, saveKept: model.saveKept };
    writePrunedFolder(source, keep, out, card, { ...Object.fromEntries(training), ...handoffs.files });
    // The plan identifies the folder as written: `depthlab check` refuses a model changed since.
    writePlan(out, {
      format: 'depthlab-plan/1',
      source: { folder, layers: model.layers, ...folderIdentity(folder) },
      export: folderIdentity(out),
      text: { source: data.source, file: data.file, sha256: textHash(data.file), tokens: data.tokens, window: data.window },
      choice: { chosenBy, keep },
      before: { loss: before.loss, stdErr: before.stdErr, perplexity: before.perplexity },
      after: { loss: after.loss, stdErr: after.stdErr, perplexity: after.perplexity },
    });
    return { folder, out, layers: model.layers, keep, chosenBy, before, after, files: [...fs.readdirSync(out)].sort(), leftOut: handoffs.leftOut };
  }, (config) => request.layers && keptLayers(request.layers, config.layers));
}

/**
 * `<model folder>-keep-0-2-5` beside the model; for a snapshot in the Hugging Face cache (which
 * belongs to huggingface_hub), or a model whose folder DepthLab cannot write beside, in the working
 * folder, named by the model's id.
 */
function defaultOut(folder: string, keep: number[]): string {
  const name = `${modelLabel(folder).replace('/', '--')}-keep-${keep.join('-')}`;
  const beside = path.dirname(folder);
  return snapshotOf(folder) || !writable(beside) ? path.join(process.cwd(), name) : path.join(beside, name);
}
