import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommanderError, Option } from 'commander';
import { TASKS, type Task } from '../core/config/choices';
import { starterConfig } from '../core/config/starterConfig';
import { UserError } from '../core/errors';
import { writeFileAtomic } from '../core/files/atomicWrite';
import { analyzeJob } from '../core/jobs/analyzeJob';
import { exportJob } from '../core/jobs/exportJob';
import { exportModelJob } from '../core/jobs/exportModelJob';
import { pretrainedSource } from '../core/jobs/openedPretrained';
import { pruneJob } from '../core/jobs/pruneJob';
import { trainJob } from '../core/jobs/trainJob';
import { addDepthCommands } from './depthCommands';
import { addModelCommands } from './modelCommands';
import { addReportCommand } from './reportCommand';
import { blockList, layerList, withTaskOption, withTextOptions } from './options';
import type { LayerBlock } from '../core/model/layerParts';
import { HUGGING_FACE_PARTS_NOTE } from '../core/report/sublayerText';
import { invocation, jobAction, program, runCommand, session } from './program';
import { analysisText } from '../core/report/analysisText';
import { exportModelText, exportText, pruneText } from './resultText';

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
    const text = analysis ? `${analysisText(analysis)}\n\nrun files: ${run.runDir}\nreport: ${run.report}` : `run ${run.runId}: ${run.status} at step ${run.step}`;
    if (!analyze || analysis) out.result({ run: run.runId, ...run, ...analysis }, text);
  });
}

addDepthCommands();

withTaskOption(runCommand('sweep', "evaluate every depth of a trained run with a strategy's layers (no finetuning)"))
  .option('--sublayers', "also remove each layer's attention and MLP alone, and search greedily over them (BlockPruner); default: the config's prune.sublayers")
  .action((configFile: string, { task, ...options }: { run?: string; task?: string[] }) =>
  jobAction(analyzeJob, ({ analysis, healed, report }) => `${analysisText(analysis, healed)}\n\nreport: ${report}`)(configFile, { ...options, ...(task && { tasks: task }) }),
);

runCommand('prune', 'choose the layers to keep, evaluate them, and optionally write layersToKeep into the config')
  .option('--layers <list>', 'keep exactly these layers (e.g. 0,2,4) instead of a strategy', layerList)
  .option('--write', 'write layersToKeep into the config file (comments kept)')
  .action(jobAction(pruneJob, pruneText));

addModelCommands();
addReportCommand();

withTextOptions(
  runCommand('export', 'write the pruned model (layers renumbered): safetensors with its config, fairseq flags and, for a language model, a GPT-2 folder transformers loads; or, given a Hugging Face folder, a pruned Hugging Face folder')
    .option('--layers <list>', "keep exactly these layers (default: the config's layersToKeep or the model's saved analysis, else the strategy's)", layerList)
    .option('--out <dir>', "output folder (default: the run's export/keep-… folder, or <model-folder>-keep-… beside the model)")
    .option('--skip-blocks <list>', "DepthLab runs: also leave out single blocks of kept layers, e.g. attention:1,mlp:3 (model.skipBlocks in the exported config)", blockList),
).action(async (source: string, options: { run?: string; data?: string; out?: string; skipBlocks?: LayerBlock[] }) => {
  const model = pretrainedSource(source);
  if (!model) return jobAction(exportJob, exportText)(source, options);
  const { out, context } = session();
  const { data, run, skipBlocks, ...rest } = options;
  if (run) throw new UserError(`--run names a DepthLab run; ${source} is a Hugging Face model`);
  if (skipBlocks) throw new UserError(`--skip-blocks: ${HUGGING_FACE_PARTS_NOTE}`);
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
