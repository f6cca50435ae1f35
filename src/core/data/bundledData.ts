import * as path from 'node:path';
import type { Task } from '../config/choices';
import { builtFile } from '../files/builtFile';

const FILES: Record<Task, string> = {
  'language-model': 'moby-dick.txt',
  classification: 'spam-ham.jsonl',
};

/** The bundled default data for a task: beside the bundle when packaged, else in dist/ after `npm run build`. */
export function bundledDataFile(task: Task): string {
  return builtFile(path.join('data', FILES[task]));
}
