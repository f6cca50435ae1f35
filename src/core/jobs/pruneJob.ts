import { writeLayersToKeep } from '../layerLists/writeLayersToKeep';
import { evaluateTogether, type Evaluation } from '../evaluate/evaluate';
import { fairseqFlags, huggingFaceConfig } from '../export/interop';
import { evaluationLayers } from '../model/layerDrop';
import { chosenLayers, type LayerChoice } from '../prune/chooseLayers';
import type { ChoiceMargin } from '../prune/choiceMargin';
import { recommendedRate } from '../prune/recommendedRate';
import { validationBatches } from '../run/openModel';
import type { JobContext } from './jobContext';
import { choiceContext } from '../analysis/trainedRun';
import { withTrainedRun, type RunRequest } from './openRun';

export type PruneJobRequest = RunRequest &
  LayerChoice & {
    /** Set layersToKeep in the config file (comments kept). */
    write?: boolean;
  };

export interface PruneJobResult {
  runId: string;
  /** The model's depth N. */
  layers: number;
  keep: number[];
  /** A strategy that measured its choice (search-on-valid, importance by loss increase): the runner-up and the margin. */
  margin?: ChoiceMargin;
  /** The full model and the kept layers, on the same validation batches. */
  full: Evaluation;
  pruned: Evaluation;
  /** p* = 1 − r/N for this depth, beside the rate the run trained with. */
  recommendedRate: number;
  trainedRate: number;
  fairseq: { flag: string; modelOverrides: string };
  huggingFace: Record<string, number>;
  written: boolean;
}

/** Choose the layers to keep (given, or a strategy's), evaluate them against the full model, and optionally write them to the config. */
export function pruneJob(request: PruneJobRequest, context: JobContext): Promise<PruneJobResult> {
  return withTrainedRun(request, context, (trained, loaded) => {
    const { model, config } = trained.opened;
    const batches = validationBatches(trained.opened);
    const { keep, margin } = chosenLayers(choiceContext(trained, batches), request);
    const [full, pruned] = evaluateTogether(model, batches, [evaluationLayers(model.layers), keep]);
    if (request.write) writeLayersToKeep(loaded.file, keep);
    return {
      runId: trained.paths.id,
      layers: model.layers,
      keep,
      margin,
      full,
      pruned,
      recommendedRate: recommendedRate(model.layers, keep.length),
      trainedRate: config.layerdrop.rate,
      fairseq: fairseqFlags(config.task, keep),
      huggingFace: huggingFaceConfig(config.task, keep.length, config.layerdrop.rate),
      written: Boolean(request.write),
    };
  });
}
