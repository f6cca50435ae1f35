import { evaluateTogether, type Evaluation } from '../evaluate/evaluate';
import { keptLayers } from '../prune/keptLayers';
import type { JobContext } from './jobContext';
import { withPretrained, type PretrainedRequest } from './openedPretrained';

export interface EvaluateModelRequest extends PretrainedRequest {
  layers: number[];
}

export interface EvaluateModelResult {
  folder: string;
  full: Evaluation;
  selected: Evaluation;
}

/** Exactly these layers of a Hugging Face model against the full model, on the same text. */
export function evaluateModelJob(request: EvaluateModelRequest, context: JobContext): Promise<EvaluateModelResult> {
  return withPretrained(request, context, ({ folder, model, batches }) => {
    const keep = keptLayers(request.layers, model.layers);
    context.onEvent?.({ type: 'phase', phase: 'evaluate', detail: `the full model and layers ${keep.join(',')}` });
    const [full, selected] = evaluateTogether(model, batches, [Array.from({ length: model.layers }, (_, l) => l), keep]);
    return { folder, full, selected };
  });
}
