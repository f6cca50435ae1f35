import * as path from 'node:path';
import { exportRun, type ExportResult } from '../export/exportRun';
import { chooseLayers, type LayerChoice } from '../prune/chooseLayers';
import type { JobContext } from './jobContext';
import type { LayerBlock } from '../model/layerParts';
import { choiceContext } from '../analysis/trainedRun';
import { withTrainedRun, type RunRequest } from './openRun';

export type ExportJobRequest = RunRequest &
  LayerChoice & {
    /** Output folder; default: the run's export/keep-… folder. */
    out?: string;
    /** Single blocks of kept layers to leave out (original indices): model.skipBlocks in the exported config. */
    skipBlocks?: LayerBlock[];
  };

export interface ExportJobResult extends ExportResult {
  runId: string;
  layers: number;
  keep: number[];
}

/** Write the pruned model: the given layers, else the config's layersToKeep, else the strategy's; renumbered 0…r−1. */
export function exportJob(request: ExportJobRequest, context: JobContext): Promise<ExportJobResult> {
  return withTrainedRun(
    request,
    context,
    (trained, loaded) => {
      const keep = chooseLayers(choiceContext(trained), request, loaded.config.layersToKeep);
      const result = exportRun(trained.paths, keep, loaded.file, request.out && path.resolve(request.out), request.skipBlocks);
      return { runId: trained.paths.id, layers: trained.opened.model.layers, keep, ...result };
    },
    { nothingToCompute: (loaded) => (request.layers ? 'the layers are given (--layers)' : loaded.config.layersToKeep ? "the config's layersToKeep" : undefined) },
  );
}
