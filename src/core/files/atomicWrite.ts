import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Write a file so that readers see either the old content or the new, never a torn file:
 * write a temp file in the same directory, fsync it, then rename over the target.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Write a folder so that it appears whole or not at all: `fill` writes into a sibling staging
 * folder, which is renamed into place (over `out` when that is an empty folder); a failure removes
 * the staging folder and leaves `out` as it was. Returns the folder's entries.
 */
export function writeFolderAtomic(out: string, fill: (staging: string) => void): string[] {
  const staging = `${out}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    fill(staging);
    if (fs.existsSync(out)) fs.rmdirSync(out);
    fs.renameSync(staging, out);
    return fs.readdirSync(out).sort();
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
