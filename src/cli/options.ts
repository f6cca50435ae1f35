import { InvalidArgumentError, type Command } from 'commander';
import type { PruneStrategy } from '../core/config/choices';
import { MODEL_STRATEGIES } from '../core/analysis/depthMeasurements';
import { BUNDLED_TASKS } from '../core/config/bundledData';
import type { LayerPart } from '../core/config/choices';

/** Flag values parsed as the CLI's users write them; a bad one is commander's usage error (exit 2). */
export const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('allowed: a positive integer');
  return n;
};
export const nonNegative = (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('allowed: a number ≥ 0, e.g. 0.05');
  return n;
};
/** An option given once per value, e.g. --task a.jsonl --task b.jsonl. */
export const repeated = (value: string, previous: string[] = []) => [...previous, value];

/** --task: a multiple-choice task scored beside the loss at every depth; --limit: its first questions only. */
export const withTaskOption = (command: Command) =>
  command
    .option(
      '--task <task>',
      `a multiple-choice task scored at every depth (acc, acc_norm): a JSON Lines or parquet file in lm-evaluation-harness's, MMLU's, ARC's, HellaSwag's, PIQA's or Winogrande's shape (or with context/question/prompt, choices/endings/options, gold/label/answer fields), a dataset split in the Hugging Face cache (org/name:split, e.g. Rowan/hellaswag:validation), or ${Object.keys(BUNDLED_TASKS).join(', ')} (bundled); repeatable`,
      repeated,
    )
    .option('--limit <n>', "score only each task's first n questions (the count is said, and the standard errors are those of n)", positiveInt);

/** A comma list of the strategies an analysis sweeps. */
export const strategyList = (value: string) => {
  const names = value.split(',').map((part) => part.trim()).filter((part) => part !== '');
  const unknown = names.find((name) => !(MODEL_STRATEGIES as readonly string[]).includes(name));
  if (names.length === 0 || unknown !== undefined) throw new InvalidArgumentError(`${unknown === undefined ? 'no strategy given' : `"${unknown}" is not one`}; allowed: a comma list of ${MODEL_STRATEGIES.join(', ')}`);
  return names as PruneStrategy[];
};
export const layerList = (value: string) => {
  const parts = value.split(',').map((part) => part.trim());
  if (parts.every((part) => part === '')) throw new InvalidArgumentError('--layers needs at least one layer; allowed: comma-separated layer indices from 0 to the model\'s layers − 1, e.g. 0,2,4');
  const layers = parts.map((part) => (part === '' ? NaN : Number(part)));
  if (layers.some((n) => !Number.isInteger(n) || n < 0)) throw new InvalidArgumentError('allowed: comma-separated layer indices, e.g. 0,2,4');
  return layers;
};

/** --skip-blocks attention:1,mlp:3: single blocks of kept layers to leave out. */
export const blockList = (value: string) =>
  value.split(',').map((part) => {
    const match = /^\s*(attention|mlp):(\d+)\s*$/.exec(part);
    if (!match) throw new InvalidArgumentError(`"${part.trim()}" is not a block; allowed: a comma list of attention:<layer> or mlp:<layer>, e.g. attention:1,mlp:3`);
    return { part: match[1] as LayerPart, layer: Number(match[2]) };
  });

/** Options that say what text a Hugging Face model is measured on. */
export const withTextOptions = (command: Command) =>
  command
    .option('--data <file>', 'Hugging Face models: a UTF-8 text to measure on (default: the bundled Moby Dick)')
    .option('--tokens <n>', 'Hugging Face models: tokens to measure on, at most (default 16384; analyze on the CPU: what fits --budget)', positiveInt)
    .option('--window <n>', 'Hugging Face models: positions per window (default 256; analyze under a budget, without --window, chooses 128–512: whichever narrows the decision\'s interval most)', positiveInt)
    .option('--threads <n>', 'Hugging Face models: evaluation threads, each reading the weights one layer at a time (default: one per core, at most 4)', positiveInt)
    .option('--trust-remote-code', "the torch backend: run the model's own code from its folder (transformers' trust_remote_code; off unless given)")
    .option('--nproc-per-node <k>', 'the torch backend: k processes under torchrun, each a replica evaluating its share of the windows (one GPU each with CUDA; gloo on the CPU)', positiveInt)
    .option('--max-memory <map>', "the torch backend: accelerate's max_memory, spreading the layers over devices, e.g. 0=20GiB,1=20GiB,cpu=64GiB", memoryMap);

/** --max-memory 0=20GiB,cpu=64GiB: accelerate's max_memory, device by device. */
export const memoryMap = (value: string) => {
  const entries = value.split(',').map((part) => /^\s*([a-z0-9:]+)\s*=\s*(\d+(\.\d+)?\s*[KMGT]i?B)\s*$/i.exec(part));
  if (entries.some((entry) => !entry)) throw new InvalidArgumentError('allowed: a comma list of device=size, e.g. 0=20GiB,1=20GiB,cpu=64GiB');
  return Object.fromEntries(entries.map((entry) => [entry![1], entry![2].replace(/\s+/g, '')]));
};
