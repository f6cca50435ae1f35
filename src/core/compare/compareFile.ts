import * as path from 'node:path';
import { writeJsonAtomic } from '../files/atomicWrite';
import type { ComparedModel } from './compareSummary';

export interface Comparison {
  configFile: string;
  layers: number;
  target: number;
  recommendedRate: number;
  steps: number;
  models: ComparedModel[];
  summary: string[];
}

/** Where a comparison is kept: `.depthlab/compare/<stamp>.json` beside the config, next to its runs. */
export function writeComparison(comparison: Comparison, now = new Date()): string {
  const file = path.join(path.dirname(comparison.configFile), '.depthlab', 'compare', `${now.toISOString().replace(/[:.]/g, '-').replace('Z', '')}.json`);
  writeJsonAtomic(file, comparison);
  return file;
}
