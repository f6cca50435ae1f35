import { spawnSync } from 'node:child_process';

/** The last line a command prints, as JSON; or why it failed (its last line of stderr): a peer (python3 with torch) may be missing. */
export function commandJson(command: string, commandArgs: string[]) {
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.status !== 0) return { error: (result.stderr || result.error?.message || 'failed').trim().split('\n').pop() };
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}
