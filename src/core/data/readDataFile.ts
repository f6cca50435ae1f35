import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoadedConfig } from '../config/loadConfig';
import { ConfigError, UserError } from '../errors';
import { unreadableFile } from '../files/unreadableFile';
import { textContent } from './textContent';

export interface DataSource {
  /** Absolute path. */
  file: string;
  /** The config field that named it (`data.train`), or undefined for bundled data. */
  field?: 'train' | 'valid';
}

/** Resolve `data.train` / `data.valid` against the config's folder. */
export function dataSource(loaded: LoadedConfig, field: 'train' | 'valid', bundled?: string): DataSource | undefined {
  const named = loaded.config.data[field];
  if (named !== undefined) return { file: path.resolve(loaded.dir, named), field };
  return bundled ? { file: bundled } : undefined;
}

/**
 * Read a data file as UTF-8 text; problems (a binary file among them) are reported at the config
 * field that named the file. `notUtf8` counts the few sequences a real text may hold that did not decode.
 */
export function readDataText(loaded: LoadedConfig, source: DataSource): { text: string; notUtf8: number } {
  const fail = (problem: string) => dataError(loaded, source, problem);
  const problem = unreadableFile(source.file, 'data file');
  if (problem) throw fail(`${problem}${source.field ? '' : ' (run npm run build to bundle the default data)'}`);
  const bytes = fs.readFileSync(source.file);
  if (bytes.length === 0) throw fail(`file is empty: ${source.file}`);
  const content = textContent(bytes);
  if ('problem' in content) throw fail(`${source.file} is ${content.problem}`);
  return content;
}

export function dataError(loaded: LoadedConfig, source: DataSource, problem: string): UserError {
  return source.field
    ? new ConfigError([{ location: loaded.locator.at(['data', source.field]), message: problem }])
    : new UserError(`bundled data ${source.file}: ${problem}`);
}
