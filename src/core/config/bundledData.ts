import * as path from 'node:path';
import type { Task } from './choices';
import { builtFile } from '../files/builtFile';

const FILES: Record<Task, string> = {
  'language-model': 'moby-dick.txt',
  classification: 'spam-ham.jsonl',
};

/** The bundled default data for a task: beside the bundle when packaged, else in dist/ after `npm run build`. */
export function bundledDataFile(task: Task): string {
  return builtFile(path.join('data', FILES[task]));
}

/** Multiple-choice tasks DepthLab ships, by the name `--task` and a config's `tasks` take (built by scripts/build.mjs). */
export const BUNDLED_TASKS: Record<string, string> = { 'moby-dick-cloze': 'moby-dick-cloze.jsonl' };

export const bundledTaskFile = (name: string): string | undefined => (name in BUNDLED_TASKS ? builtFile(path.join('data', BUNDLED_TASKS[name])) : undefined);
