import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDatasetSpec } from '../files/hubCache';
import { bundledTaskFile } from './bundledData';

/**
 * A task as a user names it: a bundled task's name, a JSON Lines or parquet file (relative to
 * `base`), or a dataset split in the Hugging Face cache (`org/name[:split]`, kept as it is: the task
 * reader resolves it). A file that exists wins over a dataset spelled the same.
 */
export const taskPath = (name: string, base: string) => {
  const file = path.resolve(base, name);
  return bundledTaskFile(name) ?? (!fs.existsSync(file) && isDatasetSpec(name) ? name : file);
};
