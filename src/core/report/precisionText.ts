import { withinNoise } from '../evaluate/standardError';
import type { ModelAnalysis } from '../run/modelAnalysisFile';

/** How far a model analysis's tokens go: how many layers' removal costs stand out from noise, and which sweeps a budget left out. */
export function precisionText(analysis: ModelAnalysis): string {
  const apart = analysis.statistics.filter((s) => s.lossIncreaseStdErr !== undefined && !withinNoise(s.lossIncrease, s.lossIncreaseStdErr));
  const skipped = analysis.skipped?.length ? `; left out for time: ${analysis.skipped.map((why) => why.split(':')[0]).join(', ')}` : '';
  return `${analysis.data.tokens.toLocaleString('en-US')} tokens: ${apart.length} of ${analysis.layers} layers' loss increases stand out from noise (> 2 standard errors)${skipped}`;
}
