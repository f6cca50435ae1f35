import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { BACKENDS, IMPORTANCE_METRICS, PRUNE_STRATEGIES, type BackendName } from '../core/config/choices';
import type { JobContext } from '../core/jobs/jobContext';
import { positiveInt } from './options';
import { Reporter } from './reporter';

/** The depthlab command and what its subcommands share: the session, how to name itself, run commands and their job actions. */
export const program = new Command('depthlab')
  .description('Explore how deep a Transformer needs to be: LayerDrop training, per-layer statistics, pruning and depth sweeps.')
  .option('--json', 'machine-readable output: one JSON object per line')
  .addOption(new Option('--backend <name>', 'compute backend (overrides the config); torch: Hugging Face models in your Python with torch and transformers').choices(BACKENDS))
  .option('--python <path>', 'the Python the torch backend runs in (default: python3 on PATH)')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

/** The reporter for this invocation and the job context it feeds; Ctrl-C once stops after the step, twice exits. */
export function session(): { out: Reporter; context: JobContext } {
  const { json, backend, python } = program.opts<{ json?: boolean; backend?: BackendName; python?: string }>();
  const out = new Reporter(json ? 'json' : process.stdout.isTTY ? 'tty' : 'plain');
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    out.info('stopping after this step (checkpoint and metrics are being saved; Ctrl-C again to quit now)');
    controller.abort();
  });
  return { out, context: { onEvent: out.event, signal: controller.signal, backend, python } };
}

/** How to run this CLI again: `depthlab` where it is on the PATH, else `npx depthlab` (a clone, before npm link). */
export function invocation(): string {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, 'depthlab')));
  return onPath ? 'depthlab' : 'npx depthlab';
}

export const runCommand = (name: string, description: string) =>
  program
    .command(name)
    .description(description)
    .argument('<config>', '*.depthlab.json')
    .option('--run <id>', 'run id under .depthlab/runs (default: the newest with a checkpoint)')
    .addOption(new Option('--strategy <name>', 'layer selection strategy').choices(PRUNE_STRATEGIES))
    .option('--target <r>', 'target depth r', positiveInt)
    .addOption(new Option('--metric <name>', 'importance metric for --strategy importance').choices(IMPORTANCE_METRICS));
/** An action that runs one job on `<config>` with the command's options and prints its result. */
export const jobAction =
  <Q, R extends { runId: string }>(job: (request: Q, context: JobContext) => Promise<R>, text: (result: R, configFile: string) => string) =>
  async (configFile: string, { run, ...options }: { run?: string }) => {
    const { out, context } = session();
    const result = await job({ configFile, runId: run, ...options } as Q, context);
    out.result({ run: result.runId, ...result }, text(result, configFile));
  };
