import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { selectBackend } from '../core/backend/selectBackend';
import { loadConfig, type LoadedConfig } from '../core/config/loadConfig';
import { BACKENDS, IMPORTANCE_METRICS, PRUNE_STRATEGIES, TASKS, type BackendName, type ImportanceMetric, type PruneStrategy, type Task } from '../core/config/schema';
import { starterConfig } from '../core/config/starterConfig';
import { writeLayersToKeep } from '../core/config/writeLayersToKeep';
import { UserError } from '../core/errors';
import { evaluate } from '../core/evaluate/evaluate';
import { exportRun } from '../core/export/exportRun';
import { analyze, type Analysis } from '../core/pipeline/analyze';
import { openRun, type OpenedRun } from '../core/pipeline/openRun';
import { chooseLayers } from '../core/prune/chooseLayers';
import { recommendedRate } from '../core/prune/recommendedRate';
import { fairseqFlags, huggingFaceConfig } from '../core/export/interop';
import { depthTable } from '../core/report/depthTable';
import { qualityText } from '../core/report/eventText';
import { findRun } from '../core/run/runStore';
import { train } from '../core/train/trainer';
import { Reporter } from './reporter';

interface GlobalOptions {
  json?: boolean;
  backend?: BackendName;
}

interface SelectionOptions {
  run?: string;
  strategy?: PruneStrategy;
  target?: number;
  metric?: ImportanceMetric;
  layers?: number[];
}

const program = new Command('depthlab')
  .description('Explore how deep a Transformer needs to be: LayerDrop training, per-layer statistics, pruning and depth sweeps.')
  .option('--json', 'machine-readable output: one JSON object per line')
  .addOption(new Option('--backend <name>', 'compute backend (overrides the config)').choices(BACKENDS))
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

const reporter = () => {
  const { json } = program.opts<GlobalOptions>();
  return new Reporter(json ? 'json' : process.stdout.isTTY ? 'tty' : 'plain');
};

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('allowed: a positive integer');
  return n;
};
const layerList = (value: string) => {
  const layers = value.split(',').map((part) => Number(part.trim()));
  if (layers.some((n) => !Number.isInteger(n) || n < 0)) throw new InvalidArgumentError('allowed: comma-separated layer indices, e.g. 0,2,4');
  return layers;
};
const selectionOptions = (command: Command) =>
  command
    .option('--run <id>', 'run id under .depthlab/runs (default: the newest with a checkpoint)')
    .addOption(new Option('--strategy <name>', 'layer selection strategy').choices(PRUNE_STRATEGIES))
    .option('--target <r>', 'target depth r', positiveInt)
    .addOption(new Option('--metric <name>', 'importance metric for --strategy importance').choices(IMPORTANCE_METRICS));

async function backendFor(loaded: LoadedConfig): Promise<string> {
  return selectBackend(program.opts<GlobalOptions>().backend ?? loaded.config.train.backend);
}

/** Load the config, pick the backend, open the run's last checkpoint, and dispose the model afterwards. */
async function withOpenedRun(
  file: string,
  runId: string | undefined,
  use: (opened: OpenedRun, loaded: LoadedConfig, backend: string, out: Reporter) => void,
): Promise<void> {
  const out = reporter();
  const loaded = loadConfig(file);
  const backend = await backendFor(loaded);
  const opened = openRun(loaded, runId);
  try {
    use(opened, loaded, backend, out);
  } finally {
    opened.model.dispose();
  }
}

/** Ctrl-C once: stop after the current step with a checkpoint. Twice: exit now. */
function interruptSignal(out: Reporter): AbortSignal {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    out.info('stopping after this step (checkpoint and metrics are being saved; Ctrl-C again to quit now)');
    controller.abort();
  });
  return controller.signal;
}

function analysisText(a: Analysis): string {
  const lines = [
    '',
    depthTable(a.task, a.sweep),
    '',
    `layers by ${a.strategy}${a.strategy === 'importance' ? ` (${a.metric})` : ''} for ${a.target} of ${a.layers}: ${a.keep.join(',')}`,
    `recommended LayerDrop rate for this target: p* = 1 - ${a.target}/${a.layers} = ${a.recommendedRate.toFixed(2)} (this run trained with ${a.trainedRate})`,
    `fairseq: ${a.fairseq.flag}`,
    `         ${a.fairseq.modelOverrides}`,
    `Hugging Face: ${JSON.stringify(a.huggingFace)}`,
  ];
  return lines.join('\n');
}

program
  .command('init')
  .description('write a commented starter config')
  .argument('[file]', 'config file to create', 'model.depthlab.json')
  .addOption(new Option('--task <task>', 'task').choices(TASKS).default('language-model'))
  .action((file: string, options: { task: Task }) => {
    if (fs.existsSync(file)) throw new UserError(`${file} already exists; choose another name`);
    fs.writeFileSync(file, starterConfig(options.task));
    reporter().result({ file: path.resolve(file) }, `wrote ${file}; next: depthlab run ${file}`);
  });

program
  .command('train')
  .description('train with LayerDrop; Ctrl-C stops cleanly with a checkpoint')
  .argument('<config>', '*.depthlab.json')
  .option('--resume [run]', 'continue a run (default: the newest) from its last checkpoint')
  .action(async (file: string, options: { resume?: string | true }) => {
    const out = reporter();
    const loaded = loadConfig(file);
    const backend = await backendFor(loaded);
    const resume = options.resume === undefined ? undefined : findRun(loaded.file, options.resume === true ? undefined : options.resume);
    const outcome = await train({ loaded, backend, resume, signal: interruptSignal(out), onEvent: out.event });
    outcome.model.dispose();
    out.result({ run: outcome.run.id, runDir: outcome.run.dir, status: outcome.status, step: outcome.step }, `run ${outcome.run.id}: ${outcome.status} at step ${outcome.step}`);
    if (outcome.status === 'cancelled') process.exitCode = 130;
  });

program
  .command('run')
  .description('train, then per-layer statistics, a depth sweep and the report')
  .argument('<config>', '*.depthlab.json')
  .action(async (file: string) => {
    const out = reporter();
    const loaded = loadConfig(file);
    const backend = await backendFor(loaded);
    const outcome = await train({ loaded, backend, signal: interruptSignal(out), onEvent: out.event });
    try {
      if (outcome.status === 'cancelled') {
        process.exitCode = 130;
        return;
      }
      const analysis = analyze(outcome.model, outcome.dataset, outcome.meta.config, outcome.counters, outcome.run, { onEvent: out.event });
      out.result({ run: outcome.run.id, runDir: outcome.run.dir, backend, ...analysis }, `${analysisText(analysis)}\n\nrun files: ${outcome.run.dir}`);
    } finally {
      outcome.model.dispose();
    }
  });

selectionOptions(program.command('sweep'))
  .description("evaluate every depth of a trained run with a strategy's layers (no finetuning)")
  .argument('<config>', '*.depthlab.json')
  .action((file: string, options: SelectionOptions) =>
    withOpenedRun(file, options.run, (opened, _loaded, backend, out) => {
      const analysis = analyze(opened.model, opened.dataset, opened.meta.config, opened.counters, opened.run, { ...options, onEvent: out.event });
      out.result({ run: opened.run.id, backend, ...analysis }, analysisText(analysis));
    }),
  );

selectionOptions(program.command('prune'))
  .description('choose the layers to keep, evaluate them, and optionally write layersToKeep into the config')
  .argument('<config>', '*.depthlab.json')
  .option('--layers <list>', 'keep exactly these layers (e.g. 0,2,4) instead of a strategy', layerList)
  .option('--write', 'write layersToKeep into the config file (comments kept)')
  .action((file: string, options: SelectionOptions & { write?: boolean }) =>
    withOpenedRun(file, options.run, (opened, loaded, _backend, out) => {
      const { model, dataset, meta } = opened;
      const config = meta.config;
      const keep = chooseLayers(opened, options);
      const batches = dataset.validBatches(config.train.batchSize, config.train.evalBatches);
      const full = evaluate(model, batches, Array.from({ length: model.layers }, (_, l) => l));
      const pruned = evaluate(model, batches, keep);
      if (options.write) writeLayersToKeep(loaded.file, keep);
      const fairseq = fairseqFlags(config.task, keep);
      const huggingFace = huggingFaceConfig(config.task, keep.length, config.layerdrop.rate);
      const rate = recommendedRate(model.layers, keep.length);
      out.result(
        { run: opened.run.id, keep, full, pruned, recommendedRate: rate, fairseq, huggingFace, written: Boolean(options.write) },
        [
          `keep ${keep.length} of ${model.layers}: ${keep.join(',')}`,
          `full model: loss ${full.loss.toFixed(4)} ${qualityText(full)}`,
          `pruned:     loss ${pruned.loss.toFixed(4)} ${qualityText(pruned)} (Δ ${(pruned.loss - full.loss).toFixed(4)})`,
          `recommended LayerDrop rate for this depth: p* = ${rate.toFixed(2)} (this run trained with ${config.layerdrop.rate})`,
          `fairseq: ${fairseq.flag}`,
          `         ${fairseq.modelOverrides}`,
          `Hugging Face: ${JSON.stringify(huggingFace)}`,
          options.write ? `wrote layersToKeep [${keep.join(', ')}] to ${file}` : `add --write to set layersToKeep in ${file}`,
        ].join('\n'),
      );
    }),
  );

selectionOptions(program.command('export'))
  .description('write the pruned model (layers renumbered) as safetensors, with its config, fairseq flags and a Hugging Face fragment')
  .argument('<config>', '*.depthlab.json')
  .option('--layers <list>', 'keep exactly these layers (default: the config\'s layersToKeep, else the strategy\'s)', layerList)
  .option('--out <dir>', 'output folder (default: the run\'s export/keep-… folder)')
  .action((file: string, options: SelectionOptions & { out?: string }) =>
    withOpenedRun(file, options.run, (opened, loaded, _backend, out) => {
      const keep = options.layers ?? loaded.config.layersToKeep?.slice().sort((a, b) => a - b) ?? chooseLayers(opened, options);
      const result = exportRun(opened.run, keep, loaded.dir, options.out && path.resolve(options.out));
      out.result(
        { run: opened.run.id, keep, ...result },
        [
          `exported ${keep.length} of ${opened.model.layers} layers (${keep.join(',')}) renumbered 0..${keep.length - 1}:`,
          `  ${result.checkpoint}`,
          `  ${result.config}`,
          `fairseq (on the unpruned model): ${result.fairseq.flag}`,
          `Hugging Face: ${JSON.stringify(result.huggingFace)}`,
        ].join('\n'),
      );
    }),
  );

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
