import * as path from 'node:path';
import { bundledTaskFile } from './bundledData';

/** A task as a user names it: a bundled task's name, or a JSON Lines file (relative to `base`). */
export const taskPath = (name: string, base: string) => bundledTaskFile(name) ?? path.resolve(base, name);
