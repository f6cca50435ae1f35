import { Option } from 'commander';
import { HEAL_PARTS } from '../core/config/choices';
import { compareJob } from '../core/jobs/compareJob';
import { healJob } from '../core/jobs/healJob';
import { layerList, positiveInt, strategyList } from './options';
import { MODEL_STRATEGIES } from '../core/analysis/depthMeasurements';
import type { PruneStrategy } from '../core/config/choices';
import { jobAction, program, runCommand, session } from './program';
import { compareText } from '../core/report/analysisText';
import { healText } from './resultText';

/** compare (the paper's experiment on the user's data) and heal (finetune a chosen sub-network). */
export function addDepthCommands(): void {
  program
    .command('compare')
    .description("the paper's experiment on your data: N layers with LayerDrop p* = 1 - r/N, N without, r from scratch; every depth, every strategy")
    .argument('<config>', '*.depthlab.json')
    .option('--target <r>', 'target depth r (default: prune.targetLayers, else half)', positiveInt)
    .option('--strategies <list>', `sweep only these strategies (default: ${MODEL_STRATEGIES.join(',')}); the config's own is always swept`, strategyList)
    .action(async (configFile: string, options: { target?: number; strategies?: PruneStrategy[] }) => {
      const { out, context } = session();
      const result = await compareJob({ configFile, ...options }, context);
      out.result(result, compareText(result));
    });

  runCommand('heal', 'finetune the chosen sub-network for K steps (all its weights, or feed-forward only) and report the loss before and after')
    .option('--layers <list>', 'the layers to keep (default: the config layersToKeep, else the strategy)', layerList)
    .option('--steps <k>', 'finetuning steps (default 100)', positiveInt)
    .addOption(new Option('--part <part>', 'what is trained').choices(HEAL_PARTS))
    .action(jobAction(healJob, healText));
}
