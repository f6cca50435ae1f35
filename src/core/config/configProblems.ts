import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, type ConfigProblem } from '../errors';
import { parseConfig } from './loadConfig';

/**
 * Every problem an editor should mark in a config's text: syntax and schema problems, or, for a
 * valid config, data files that do not exist. Never throws for bad input.
 */
export function configProblems(text: string, file: string, exists: (file: string) => boolean = fs.existsSync): ConfigProblem[] {
  try {
    const loaded = parseConfig(text, file);
    return (['train', 'valid'] as const).flatMap((field) => {
      const named = loaded.config.data[field];
      if (named === undefined || exists(path.resolve(loaded.dir, named))) return [];
      return [{ location: loaded.locator.at(['data', field]), message: `file not found: ${named} (relative to ${path.basename(file)})`, semantic: true }];
    });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}
