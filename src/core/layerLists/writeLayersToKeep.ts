import * as fs from 'node:fs';
import { applyEdits } from 'jsonc-parser';
import { writeFileAtomic } from '../files/atomicWrite';
import { depthlabSites } from './depthlabSites';
import { layerListEdits } from './layerListEdits';

/**
 * Set `layersToKeep` in config text, keeping comments and formatting. The result is validated
 * before it is returned, so a write never leaves a broken config.
 */
export function withLayersToKeep(text: string, file: string, layers: number[]): string {
  return applyEdits(text, layerListEdits(text, file, depthlabSites(text).layersToKeep, layers));
}

export function writeLayersToKeep(file: string, layers: number[]): void {
  writeFileAtomic(file, withLayersToKeep(fs.readFileSync(file, 'utf8'), file, layers));
}
