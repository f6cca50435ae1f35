import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { BACKENDS, HEAL_PARTS, IMPORTANCE_METRICS, PRUNE_STRATEGIES, TASKS, type BackendName, type Task } from '../core/config/choices';
import { starterConfig } from '../core/config/starterConfig';
import { UserError } from '../core/errors';
import { writeFileAtomic } from '../core/files/atomicWrite';
import { analyzeJob } from '../core/jobs/analyzeJob';
import { analyzeModelJob } from '../core/jobs/analyzeModelJob';
import { compareJob } from '../core/jobs/compareJob';
import { exportJob } from '../core/jobs/exportJob';
import { healJob } from '../core/jobs/healJob';
import { exportModelJob } from '../core/jobs/exportModelJob';
import type { JobContext } from '../core/jobs/jobContext';
import { pruneJob } from '../core/jobs/pruneJob';
import { trainJob } from '../core/jobs/trainJob';
import { layerList, positiveInt, withTextOptions } from './options';
import { Reporter } from './reporter';
import { pretrainedSource } from '../core/jobs/openedPretrained';
import { analysisText, compareText, exportModelText, exportText, healText, modelAnalysisText, pruneText } from './resultText';

const program = new Command('depthlab')
  .description('Explore how deep a Transformer needs to be: LayerDrop training, per-layer statistics, pruning and depth sweeps.')
  .option('--json', 'machine-readable output: one JSON object per line')
  .addOption(new Option('--backend <name>', 'compute backend (overrides the config)').choices(BACKENDS))
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

/** The reporter for this invocation and the job context it feeds; Ctrl-C once stops after the step, twice exits. */
function session(): { out: Reporter; context: JobContext } {
  const { json, backend } = program.opts<{ json?: boolean; backend?: BackendName }>();
  const out = new Reporter(json ? 'json' : process.stdout.isTTY ? 'tty' : 'plain');
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    out.info('stopping after this step (checkpoint and metrics are being saved; Ctrl-C again to quit now)');
    controller.abort();
  });
  return { out, context: { onEvent: out.event, signal: controller.signal, backend } };
}

/** How to run this CLI again: `depthlab` where it is on the PATH, else `npx depthlab` (a clone, before npm link). */
function invocation(): string {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, 'depthlab')));
  return onPath ? 'depthlab' : 'npx depthlab';
}

const runCommand = (name: string, description: string) =>
  program
    .command(name)
    .description(description)
    .argument('<config>', '*.depthlab.json')
    .option('--run <id>', 'run id under .depthlab/runs (default: the newest with a checkpoint)')
    .addOption(new Option('--strategy <name>', 'layer selection strategy').choices(PRUNE_STRATEGIES))
    .option('--target <r>', 'target depth r', positiveInt)
    .addOption(new Option('--metric <name>', 'importance metric for --strategy importance').choices(IMPORTANCE_METRICS));
/** An action that runs one job on `<config>` with the command's options and prints its result. */
const jobAction =
  <Q, R extends { runId: string }>(job: (request: Q, context: JobContext) => Promise<R>, text: (result: R, configFile: string) => string) =>
  async (configFile: string, { run, ...options }: { run?: string }) => {
    const { out, context } = session();
    const result = await job({ configFile, runId: run, ...options } as Q, context);
    out.result({ run: result.runId, ...result }, text(result, configFile));
  };

program
  .command('init')
  .description('write a commented starter config')
  .argument('[file]', 'config file to create', 'model.depthlab.json')
  .addOption(new Option('--task <task>', 'task').choices(TASKS).default('language-model'))
  .action((file: string, options: { task: Task }) => {
    if (fs.existsSync(file)) throw new UserError(`${file} already exists${fs.statSync(file).isDirectory() ? ' and is a folder' : ''}; choose another name`);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileAtomic(file, starterConfig(options.task));
    session().out.result({ file: path.resolve(file) }, `wrote ${file}; next: ${invocation()} run ${file}`);
  });

for (const [name, analyze, description] of [
  ['train', false, 'train with LayerDrop; Ctrl-C stops cleanly with a checkpoint'],
  ['run', true, 'train, then per-layer statistics, a depth sweep and the report'],
] as const) {
  const command = program.command(name).description(description).argument(analyze ? '<config>' : '[config]', '*.depthlab.json');
  if (!analyze) command.option('--resume [run]', 'continue a run (default: the newest) from its last checkpoint');
  command.action(async (given: string | undefined, options: { resume?: string | true }) => {
    // `train --resume cfg.json`: the optional run id took the config; a run id never ends in .json.
    const configFile = given ?? (typeof options.resume === 'string' && options.resume.endsWith('.json') ? options.resume : undefined);
    if (!configFile) throw new UserError(`${name}: missing the config file, e.g. ${invocation()} ${name} model.depthlab.json`);
    if (configFile !== given) options.resume = true;
    const { out, context } = session();
    const { analysis, ...run } = await trainJob({ configFile, resume: options.resume, analyze }, context);
    if (run.status === 'cancelled') process.exitCode = 130;
    const text = analysis ? `${analysisText(analysis)}\n\nrun files: ${run.runDir}` : `run ${run.runId}: ${run.status} at step ${run.step}`;
    if (!analyze || analysis) out.result({ run: run.runId, ...run, ...analysis }, text);
  });
}

program
  .command('compare')
  .description("the paper's experiment on your data: N layers with LayerDrop p* = 1 - r/N, N without, r from scratch; every depth, every strategy")
  .argument('<config>', '*.depthlab.json')
  .option('--target <r>', 'target depth r (default: prune.targetLayers, else half)', positiveInt)
  .action(async (configFile: string, options: { target?: number }) => {
    const { out, context } = session();
    const result = await compareJob({ configFile, ...options }, context);
    out.result(result, compareText(result));
  });

runCommand('heal', 'finetune the chosen sub-network for K steps (all its weights, or feed-forward only) and report the loss before and after')
  .option('--layers <list>', 'the layers to keep (default: the config layersToKeep, else the strategy)', layerList)
  .option('--steps <k>', 'finetuning steps (default 100)', positiveInt)
  .addOption(new Option('--part <part>', 'what is trained').choices(HEAL_PARTS))
  .action(jobAction(healJob, healText));

runCommand('sweep', "evaluate every depth of a trained run with a strategy's layers (no finetuning)").action(
  jobAction(analyzeJob, ({ analysis }) => analysisText(analysis)),
);

runCommand('prune', 'choose the layers to keep, evaluate them, and optionally write layersToKeep into the config')
  .option('--layers <list>', 'keep exactly these layers (e.g. 0,2,4) instead of a strategy', layerList)
  .option('--write', 'write layersToKeep into the config file (comments kept)')
  .action(jobAction(pruneJob, pruneText));

withTextOptions(
  program
    .command('analyze')
    .description('measure every layer of a Hugging Face model on your text: importance, angular distance, a depth sweep per strategy')
    .argument('<model>', 'a Hugging Face folder (config.json, safetensors weights, tokenizer.json), or a *.depthlab.json whose model.pretrained names one')
    .addOption(new Option('--strategy <name>', 'layer selection strategy for the recommendation').choices(PRUNE_STRATEGIES))
    .option('--target <r>', 'target depth r', positiveInt)
    .addOption(new Option('--metric <name>', 'importance metric for --strategy importance').choices(IMPORTANCE_METRICS)),
).action(async (source: string, { data, ...options }: { data?: string }) => {
  const model = pretrainedSource(source);
  if (!model) throw new UserError(`${source}: not a Hugging Face model folder (config.json with a model_type) nor a config with model.pretrained; for a DepthLab run use depthlab sweep`);
  const { out, context } = session();
  const result = await analyzeModelJob({ ...model, ...(data && { dataFile: data }), ...options }, context);
  out.result(result, modelAnalysisText(result));
});

withTextOptions(
  runCommand('export', 'write the pruned model (layers renumbered): safetensors with its config, fairseq flags and a Hugging Face fragment; or, given a Hugging Face folder, a pruned Hugging Face folder')
    .option('--layers <list>', "keep exactly these layers (default: the config's layersToKeep or the model's saved analysis, else the strategy's)", layerList)
    .option('--out <dir>', "output folder (default: the run's export/keep-… folder, or <model-folder>-keep-… beside the model)"),
).action(async (source: string, options: { run?: string; data?: string; out?: string }) => {
  const model = pretrainedSource(source);
  if (!model) return jobAction(exportJob, exportText)(source, options);
  const { out, context } = session();
  const { data, run, ...rest } = options;
  if (run) throw new UserError(`--run names a DepthLab run; ${source} is a Hugging Face model`);
  const result = await exportModelJob({ ...model, ...(data && { dataFile: data }), ...rest }, context);
  out.result(result, exportModelText(result));
});

async function main(): Promise<number> {
  try {
    await program.parseAsync(process.argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UserError) {
      process.stderr.write(`depthlab: error: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`depthlab: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

main().then((code) => process.exit(code));
