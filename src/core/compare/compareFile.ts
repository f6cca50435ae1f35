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

/** The newest comparison made from this config, or undefined (none yet, or an unreadable file, which the explorer skips). */
export function latestComparison(configFile: string): Comparison | undefined {
  const dir = compareDir(configFile);
  if (!fs.existsSync(dir)) return undefined;
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort().reverse()) {
    try {
      const comparison = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Comparison;
      if (comparison.configFile === configFile && Array.isArray(comparison.models)) return comparison;
    } catch {
      continue;
    }
  }
  return undefined;
}
