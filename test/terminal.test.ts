/**
 * What a person sees: the CLI under a pseudo-terminal (util-linux `script`), its bytes replayed
 * into a headless xterm of 120 × 40, and the screen's lines read back.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { Terminal } from '@xterm/headless';
import { tinyLanguageModel } from './helpers';

const CLI = path.join(__dirname, '../dist/cli.js');

/** The command's output as the terminal shows it at the end: every line of the scrollback and the screen. */
async function screenOf(cwd: string, args: string): Promise<string[]> {
  const run = spawnSync('script', ['-qec', `stty cols 120 rows 40; ${process.execPath} ${CLI} ${args}`, '/dev/null'], { cwd, encoding: 'utf8', timeout: 180_000 });
  assert.equal(run.status, 0, run.stdout);
  const terminal = new Terminal({ cols: 120, rows: 40, scrollback: 5000, allowProposedApi: true });
  await new Promise<void>((resolve) => terminal.write(run.stdout.replace(/\r?\n/g, '\r\n'), resolve));
  const buffer = terminal.buffer.active;
  return Array.from({ length: buffer.length }, (_, i) => buffer.getLine(i)!.translateToString(true)).filter((line) => line.trim() !== '');
}

test('depthlab run on a terminal: a progress bar while training, then the report intact, no bar left behind', async () => {
  const { file } = tinyLanguageModel({ train: { steps: 30, batchSize: 4, lr: 0.01, warmup: 2, evalEvery: 10, evalBatches: 2, checkpointEvery: 10, backend: 'wasm' } });
  const lines = await screenOf(path.dirname(file), `run ${path.basename(file)}`);
  assert.ok(lines.includes('training completed at step 30'), lines.join('\n'));
  assert.ok(lines.some((line) => /^layers by every-other for 2 of 4: 0,2$/.test(line)), lines.join('\n'));
  const valid = lines.filter((line) => line.includes('valid @'));
  assert.equal(valid.length, 3, valid.join('\n'));
  for (const line of valid) assert.match(line, /^valid @ step \d+: loss \d+\.\d{4} ppl \d+\.\d{2}$/);
  assert.deepEqual(lines.filter((line) => line.includes('train [')), [], 'the bar is gone once training ends');
});

test('depthlab analyze on a terminal: phases print above the progress bar, the report after it, no bar left', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-tty-'));
  fs.cpSync(path.join(__dirname, 'fixtures', 'huggingface', 'gpt2'), path.join(dir, 'gpt2'), { recursive: true });
  const lines = await screenOf(dir, 'analyze gpt2 --tokens 2048 --window 64');
  for (const phase of ['angular: angular distance between the streams n layers apart', 'sweep 1/5: every-other at every depth 4…1', 'sweep 2/5: importance at every depth 4…1']) {
    assert.ok(lines.includes(phase), `${phase}\n---\n${lines.join('\n')}`);
  }
  assert.ok(lines.some((line) => /^layers by every-other for 2 of 4: 0,2$/.test(line)), lines.join('\n'));
  assert.deepEqual(lines.filter((line) => line.includes('batch passes')), [], 'the bar is gone once the analysis ends');
});
