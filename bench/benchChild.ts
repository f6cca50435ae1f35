import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** `npm run bench` again (bench.ts), in a child process with its own memory; stderr is shown as it comes, or kept to report the child's last words. */
export const benchChild = (childArgs: string[], stderr: 'inherit' | 'pipe' = 'pipe') =>
  spawnSync(process.execPath, [...process.execArgv, path.join(__dirname, 'bench.ts'), ...childArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', stderr] });

/** A failed child's last line, without the stack. */
export const lastLine = (text: string) => text.trim().split('\n').filter((line) => !line.startsWith('    at ')).pop()?.slice(0, 160) ?? 'exited without a message';
