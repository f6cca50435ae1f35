import { resolveThreads } from '../backend/threadCount';
import { writeComparison } from '../compare/compareFile';
import { compareSummary, type ComparedModel, type Comparison } from '../compare/compareSummary';
import { compareVariants, variantConfig } from '../compare/compareVariants';
import { UserError } from '../errors';
import { evaluate, type Evaluation } from '../evaluate/evaluate';
import { evaluationLayers } from '../model/layerDrop';
import { recommendedRate } from '../prune/recommendedRate';
import { targetDepth } from '../prune/targetDepth';
import { validationBatches } from '../run/openModel';
import { train } from '../train/trainer';
import { measureDepth } from '../analysis/depthMeasurements';
import { withTransformerThreads } from '../evaluate/evaluationThreads';
import { startJob, type ConfigRequest, type JobContext } from './jobContext';
import type { PruneStrategy } from '../config/choices';
import { reportData } from '../report/reportData';
import { writeReport } from '../report/reportPage';

export interface CompareJobRequest extends ConfigRequest {
  /** Target depth r (default: the config's prune.targetLayers, else half). */
  target?: number;
  /** Sweep only these strategies (default: every one); the config's own strategy is always swept. */
  strategies?: PruneStrategy[];
}

export interface CompareJobResult extends Comparison {
  file: string;
  /** The comparison's report page (depthlab report), beside its file. */
  report?: string;
}

/**
 * The paper's claim on the user's data: with the same data, seed and step budget, train N layers
 * with LayerDrop p* = 1 − r/N, N layers without, and r layers from scratch (and N at the config's
 * own rate if it differs); sweep the N-layer models at every depth with every strategy; say what
 * the numbers say. Each model is a run of its own under .depthlab/runs.
 */
export async function compareJob(request: CompareJobRequest, context: JobContext): Promise<CompareJobResult> {
  const { loaded, backend } = await startJob(request, context);
  const N = loaded.config.model.layers;
  const target = targetDepth(N, loaded.config.prune.targetLayers, request.target);
  if (target >= N) throw new UserError(`compare needs a target depth below the model's ${N} layers; allowed: --target 1..${N - 1}`);
  const models: ComparedModel[] = [];
  for (const variant of compareVariants(loaded.config, target)) {
    context.onEvent?.({ type: 'phase', phase: 'load', detail: `training ${variant.label}` });
    const outcome = await train({ loaded: { ...loaded, config: variantConfig(loaded.config, variant) }, backend, signal: context.signal, onEvent: context.onEvent });
    try {
      if (outcome.status !== 'completed') throw new UserError(`compare stopped: ${variant.label} ${outcome.status} at step ${outcome.step}`);
      const batches = validationBatches(outcome.opened);
      const model = outcome.opened.model;
      const measured =
        variant.layers === N
          ? await withTransformerThreads(model, backend, resolveThreads(loaded.config.train), () => measureDepth(model, batches, { strategy: loaded.config.prune.strategy, target }, { ...context, strategies: request.strategies }))
          : undefined;
      // A sweep's depth-N row is the whole model: only the small model needs an evaluation of its own.
      const full: Evaluation = measured?.sweeps['every-other']?.[0] ?? evaluate(model, batches, evaluationLayers(variant.layers));
      models.push({ ...variant, runId: outcome.run.id, full, sweeps: measured?.sweeps });
    } finally {
      outcome.opened.model.dispose();
    }
  }
  const comparison: Comparison = {
    configFile: loaded.file,
    layers: N,
    target,
    recommendedRate: recommendedRate(N, target),
    steps: loaded.config.train.steps,
    models,
    summary: compareSummary(models, target),
  };
  const file = writeComparison(comparison);
  return { ...comparison, file, report: writeReport(reportData(file)) };
}
