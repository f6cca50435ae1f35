import * as fs from 'node:fs';
import { applyEdits, modify, type FormattingOptions } from 'jsonc-parser';
import { writeFileAtomic } from '../files/atomicWrite';
import { parseConfig } from './loadConfig';

const FORMATTING: FormattingOptions = { insertSpaces: true, tabSize: 2, eol: '\n' };

/**
 * Set (or with `undefined`, remove) `layersToKeep` in config text, keeping comments and formatting.
 * The result is validated before it is returned, so a write never leaves a broken config.
 */
export function withLayersToKeep(text: string, file: string, layers: number[] | undefined): string {
  const edited = applyEdits(text, modify(text, ['layersToKeep'], layers, { formattingOptions: FORMATTING }));
  parseConfig(edited, file);
  return edited;
}

export function writeLayersToKeep(file: string, layers: number[] | undefined): void {
  writeFileAtomic(file, withLayersToKeep(fs.readFileSync(file, 'utf8'), file, layers));
}
