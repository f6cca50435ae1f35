import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from '../files/atomicWrite';
import type { Comparison } from './compareSummary';


const compareDir = (configFile: string) => path.join(path.dirname(configFile), '.depthlab', 'compare');

/** Where a comparison is kept: `.depthlab/compare/<stamp>.json` beside the config, next to its runs. */
export function writeComparison(comparison: Comparison, now = new Date()): string {
  const file = path.join(compareDir(comparison.configFile), `${now.toISOString().replace(/[:.]/g, '-').replace('Z', '')}.json`);
  writeJsonAtomic(file, comparison);
  return file;
}

/** The newest comparison made from this config, with its file; undefined when none (an unreadable file is skipped). */
export function latestComparison(configFile: string): (Comparison & { file: string }) | undefined {
  const dir = compareDir(configFile);
  if (!fs.existsSync(dir)) return undefined;
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort().reverse()) {
    try {
      const file = path.join(dir, name);
      const comparison = JSON.parse(fs.readFileSync(file, 'utf8')) as Comparison;
      if (comparison.configFile === configFile && Array.isArray(comparison.models)) return { ...comparison, file };
    } catch {
      continue;
    }
  }
  return undefined;
}
