import * as fs from 'node:fs';

/** Why `file` cannot be read as a file, in words for the user, naming it; undefined when it can. */
export function unreadableFile(file: string, what = 'file'): string | undefined {
  if (!fs.existsSync(file)) return `${what} not found: ${file}`;
  if (fs.statSync(file).isDirectory()) return `${file} is a folder; allowed: a ${what}`;
  return undefined;
}

/** Text without the UTF-8 byte-order mark some editors write first (VS Code opens such files as if it were not there). */
export const withoutBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
