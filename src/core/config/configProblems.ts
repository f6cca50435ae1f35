import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, type ConfigProblem } from '../errors';
import { datasetSplitFiles, isDatasetSpec } from '../files/hubCache';
import { taskPath } from './taskPath';
import { parseConfig } from './loadConfig';

/**
 * Every problem an editor should mark in a config's text: syntax and schema problems, or, for a
 * valid config, data files that do not exist. Never throws for bad input.
 */
export function configProblems(text: string, file: string, exists: (file: string) => boolean = fs.existsSync): ConfigProblem[] {
  try {
    const loaded = parseConfig(text, file);
    const missing = (named: string | undefined, at: (string | number)[], resolved = named && path.resolve(loaded.dir, named)) =>
      !resolved || exists(resolved) ? [] : [{ location: loaded.locator.at(at), message: `file not found: ${named} (relative to ${path.basename(file)})`, semantic: true }];
    return [
      ...(['train', 'valid'] as const).flatMap((field) => missing(loaded.config.data[field], ['data', field])),
      ...(loaded.config.tasks ?? []).flatMap((name, i) => (isDatasetSpec(name) && taskPath(name, loaded.dir) === name ? datasetProblem(name, loaded.locator.at(['tasks', i])) : missing(name, ['tasks', i], taskPath(name, loaded.dir)))),
    ];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

/** A dataset split the cache lacks, marked where the config names it. */
function datasetProblem(name: string, location: ConfigProblem['location']): ConfigProblem[] {
  try {
    datasetSplitFiles(name);
    return [];
  } catch (error) {
    return [{ location, message: (error as Error).message, semantic: true }];
  }
}
