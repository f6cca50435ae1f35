import * as fs from 'node:fs';

/** Whether this process may write into `folder` (or create it, when its parent allows). */
export function writable(folder: string): boolean {
  try {
    fs.accessSync(folder, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
