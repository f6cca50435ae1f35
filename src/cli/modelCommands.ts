import { Option } from 'commander';
import { IMPORTANCE_METRICS, PRUNE_STRATEGIES } from '../core/config/choices';
import { UserError } from '../core/errors';
import { analyzeModelJob } from '../core/jobs/analyzeModelJob';
import { pretrainedSource } from '../core/jobs/openedPretrained';
import { parseDuration } from '../core/config/duration';
import { nonNegative, positiveInt, strategyList, withTaskOption, withTextOptions } from './options';
import { MODEL_STRATEGIES } from '../core/analysis/depthMeasurements';
import { program, session } from './program';
import { modelAnalysisText } from '../core/report/analysisText';
import { checkPlanJob, DEFAULT_MAX_INCREASE } from '../core/jobs/checkPlanJob';
import { checkText, emittedText } from './resultText';
import { emitScriptJob } from '../core/jobs/emitScriptJob';
import { importAnalysisJob } from '../core/jobs/importAnalysisJob';

/** analyze: measure every layer of a Hugging Face model (a folder, or a config naming one) on the user's text; check: an export against its plan. */
export function addModelCommands(): void {
  program
    .command('check')
    .description("measure an exported Hugging Face folder again on its plan's text: exit 0 when the loss rose at most --max-increase over the original's, 1 when more, 2 when the model or the text changed")
    .argument('<plan>', 'an exported folder, or its depthlab-plan.json')
    .option('--max-increase <nats>', `the largest loss increase allowed, in nats (default ${DEFAULT_MAX_INCREASE})`, nonNegative)
    .option('--data <file>', "the plan's text, if it moved (its hash must match)")
    .action(async (plan: string, { maxIncrease, data }: { maxIncrease?: number; data?: string }) => {
      const { out, context } = session();
      const result = await checkPlanJob({ plan, maxIncrease, ...(data && { dataFile: data }) }, context);
      out.result(result, checkText(result));
      if (!result.within) process.exitCode = 1;
    });

  withTextOptions(
    withTaskOption(program.command('analyze'))
      .description('measure every layer of a Hugging Face model on your text: importance, angular distance, a depth sweep per strategy')
      .argument('<model>', 'a Hugging Face folder (config.json, safetensors weights, tokenizer.json), or a *.depthlab.json whose model.pretrained names one')
      .addOption(new Option('--strategy <name>', 'layer selection strategy for the recommendation').choices(PRUNE_STRATEGIES))
      .option('--target <r>', 'target depth r', positiveInt)
      .addOption(new Option('--metric <name>', 'importance metric for --strategy importance').choices(IMPORTANCE_METRICS))
      .option('--strategies <list>', `sweep only these strategies (default: ${MODEL_STRATEGIES.join(',')}); --strategy's is always swept`, strategyList)
      .option('--search-width <k>', 'search-on-valid: removals tried per round, the k weakest by loss increase (default: all; 4 under a budget)', positiveInt)
      .option('--budget <time>', 'measure on as many tokens (up to --tokens) as fit this time, e.g. 10m (default on the CPU without --tokens: 5m)', parseDuration)
      .option('--sublayers', "also remove each layer's attention and MLP alone, and search greedily over them (BlockPruner; bounded by --search-width)")
      .option('--emit-script <dir>', "don't run the model here: write its analysis's requests, the torch engine and the commands (python, torchrun, SLURM) that answer them where it fits; depthlab import brings the answers back"),
  ).action(async (source: string, { data, budget, task, emitScript, ...options }: { data?: string; budget?: number; task?: string[]; emitScript?: string }) => {
    const model = pretrainedSource(source);
    if (!model) throw new UserError(`${source}: not a Hugging Face model folder (config.json with a model_type) nor a config with model.pretrained; for a DepthLab run use depthlab sweep`);
    const { out, context } = session();
    const request = { ...model, ...(data && { dataFile: data }), ...(budget && { budgetSeconds: budget }), ...(task && { tasks: task }), ...options };
    if (emitScript) {
      const emitted = await emitScriptJob({ ...request, out: emitScript }, context);
      out.result(emitted, emittedText(emitted));
      return;
    }
    const result = await analyzeModelJob(request, context);
    out.result(result, modelAnalysisText(result));
  });

  program
    .command('import')
    .description('bring back an analysis that ran elsewhere (depthlab analyze --emit-script): redo it here from the script\'s replies, and write it where analyze does')
    .argument('<folder>', 'the emitted folder, with replies.jsonl in it')
    .option('--model <folder>', 'the model folder here, if it is not where --emit-script found it (its config, tokenizer and weight headers are read)')
    .action(async (folder: string, { model }: { model?: string }) => {
      const { out, context } = session();
      const result = await importAnalysisJob({ source: folder, ...(model && { folder: model }) }, context);
      out.result(result, modelAnalysisText(result));
    });
}
