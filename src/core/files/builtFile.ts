import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A file `npm run build` puts in dist/ (bundled data, the training thread, wasm kernels): beside
 * the running bundle, or in the repository's dist/ when running from source (tests, tsx). Returns
 * the dist/ path when neither exists, so errors name where it should be.
 */
export function builtFile(relative: string): string {
  const candidates = [path.join(__dirname, relative), path.resolve(__dirname, '../../../dist', relative)];
  return candidates.find((file) => fs.existsSync(file)) ?? candidates[1];
}
