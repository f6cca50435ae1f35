import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Task } from '../config/schema';

const FILES: Record<Task, string> = {
  'language-model': 'moby-dick.txt',
  classification: 'spam-ham.jsonl',
};

/** The bundled default data for a task: beside the bundle when packaged, else in dist/ after `npm run build`. */
export function bundledDataFile(task: Task): string {
  const candidates = [path.join(__dirname, 'data'), path.resolve(__dirname, '../../../dist/data')];
  const dir = candidates.find((candidate) => fs.existsSync(path.join(candidate, FILES[task]))) ?? candidates[candidates.length - 1];
  return path.join(dir, FILES[task]);
}
