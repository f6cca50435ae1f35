import { withinNoise } from '../evaluate/standardError';
import { decidingIncrease, decidingStdErr } from '../statistics/decidingIncrease';
import { estimateNote } from './estimateNote';
import type { ModelAnalysis } from '../run/modelAnalysisFile';

/** How far a model analysis's tokens go: how many layers' removal costs stand out from noise, which are estimates, and which sweeps a budget left out. */
export function precisionText(analysis: ModelAnalysis): string {
  const apart = analysis.statistics.filter((s) => decidingStdErr(s) !== undefined && !withinNoise(decidingIncrease(s), decidingStdErr(s)));
  const skipped = analysis.skipped?.length ? `; left out for time: ${analysis.skipped.map((why) => why.split(':')[0]).join(', ')}` : '';
  const estimates = estimateNote(analysis.statistics, analysis.estimateAgreement);
  return `${analysis.data.tokens.toLocaleString('en-US')} tokens: ${apart.length} of ${analysis.layers} layers' loss increases stand out from noise (> 2 standard errors)${estimates ? `; ${estimates}` : ''}${skipped}`;
}
