import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend } from '../src/core/backend/selectBackend';
import { parseConfig, type LoadedConfig } from '../src/core/config/loadConfig';

/** A small real corpus: the first chapters of the bundled Moby Dick text would need a build, so use our own. */
export const TEXT = Array.from(
  { length: 400 },
  (_, i) => `Call me Ishmael, line ${i}. Some years ago, never mind how long precisely, I thought I would sail about.\n`,
).join('');

export const TINY_MODEL = { layers: 4, dModel: 16, heads: 2, ffn: 32, seqLen: 16, dropout: 0.1 };
// One thread: the tests that train are about other things; threads have tests of their own.
export const TINY_TRAIN = { steps: 8, batchSize: 4, lr: 0.01, warmup: 2, evalEvery: 4, evalBatches: 2, checkpointEvery: 4, backend: 'wasm', threads: 1 };

export function workspace(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-test-'));
}

/** Write `text.txt` and a config in a fresh folder; returns the loaded config. */
export function tinyLanguageModel(overrides: Record<string, unknown> = {}, dir = workspace()): LoadedConfig {
  fs.writeFileSync(path.join(dir, 'text.txt'), TEXT);
  const config = {
    task: 'language-model',
    data: { train: 'text.txt' },
    model: TINY_MODEL,
    layerdrop: { rate: 0.5 },
    train: TINY_TRAIN,
    ...overrides,
  };
  const file = path.join(dir, 'tiny.depthlab.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return parseConfig(fs.readFileSync(file, 'utf8'), file);
}

export async function useWasm(): Promise<void> {
  await selectBackend('wasm');
}
