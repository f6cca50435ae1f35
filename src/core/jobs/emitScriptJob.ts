import * as fs from 'node:fs';
import * as path from 'node:path';
import { EMITTED, provisionalDescription, RequestRecorder, SCRIPTABLE_STRATEGIES } from '../analysis/emittedScript';
import { engineScript } from '../backend/torchEngine';
import { bundledTaskFile } from '../config/bundledData';
import { taskPath } from '../config/taskPath';
import { PretrainedTokenizer } from '../data/pretrainedTokenizer';
import { UserError } from '../errors';
import { writeFolderAtomic } from '../files/atomicWrite';
import { readPretrainedConfig } from '../huggingface/pretrainedConfig';
import { objectiveOf, TorchPretrainedModel } from '../huggingface/torchPretrained';
import { openWeights } from '../huggingface/weightFiles';
import { analyzeOpened, type AnalyzeModelRequest } from './analyzeModelJob';
import type { JobContext } from './jobContext';
import { measuredText } from './openedPretrained';

export interface EmitScriptRequest extends AnalyzeModelRequest {
  /** The folder to write: a new or empty one. */
  out: string;
}

export interface EmitScriptResult {
  out: string;
  requests: number;
  files: string[];
  /** The emitted analysis as `depthlab import` will redo it: its options, the model folder here, the text. */
  plan: EmittedPlan;
}

/** What `depthlab import` needs besides the replies: the analysis's options, and where the model and its text are here. */
export interface EmittedPlan {
  format: 'depthlab-emitted/1';
  folder: string;
  request: AnalyzeModelRequest;
  layers: number;
  createdAt: string;
}

/**
 * A Hugging Face model's analysis for a machine DepthLab cannot reach (a cluster): every request
 * the analysis makes, recorded without the model running (its weights' headers, config and
 * tokenizer are read here), with the engine script, the command that runs it with plain python or
 * torchrun, and a SLURM example. `depthlab import` turns the replies into the analysis.
 */
export async function emitScriptJob(request: EmitScriptRequest, context: JobContext): Promise<EmitScriptResult> {
  const strategy = request.strategy ?? 'every-other';
  const strategies = request.strategies ?? [...SCRIPTABLE_STRATEGIES];
  const unscriptable = [strategy, ...strategies].filter((each) => !SCRIPTABLE_STRATEGIES.includes(each));
  if (unscriptable.length) throw new UserError(`--emit-script: ${[...new Set(unscriptable)].join(', ')} choose from what was measured, so DepthLab must run between their steps; a script answers ${SCRIPTABLE_STRATEGIES.join(' and ')} (--strategy, --strategies), or analyze where the model runs with --backend torch`);
  if (request.sublayers) throw new UserError('--emit-script: --sublayers searches from what it measures, so DepthLab must run between its steps; analyze where the model runs with --backend torch');
  if (request.budgetSeconds !== undefined) throw new UserError('--emit-script: --budget times the model here; give --tokens instead');
  const out = path.resolve(request.out);
  if (fs.existsSync(out) && (!fs.statSync(out).isDirectory() || fs.readdirSync(out).length > 0)) throw new UserError(`${out} exists and is not an empty folder; choose another --emit-script folder`);
  const folder = path.resolve(request.folder);
  const config = readPretrainedConfig(folder);
  const tokenizer = PretrainedTokenizer.open(folder);
  const objective = objectiveOf(config);
  const recorder = new RequestRecorder({ folder, objective, trustRemoteCode: request.trustRemoteCode ?? false, ...(request.maxMemory && { maxMemory: request.maxMemory }) }, config.layers);
  const model = new TorchPretrainedModel(config, recorder, provisionalDescription(config, openWeights(folder), objective));
  const text = measuredText(request, model, tokenizer, context);
  const { out: _written, ...options } = request;
  // Paths as they are here, so that import finds the same text and tasks from any working folder.
  const tasks = request.tasks?.map((name) => (bundledTaskFile(name) ? name : taskPath(name, process.cwd())));
  const analyzed: AnalyzeModelRequest = { ...options, folder, strategy, strategies, tokens: text.data.tokens, ...(request.dataFile && { dataFile: path.resolve(request.dataFile) }), ...(tasks && { tasks }) };
  await analyzeOpened({ folder, model, tokenizer, ...text }, analyzed, context);
  model.dispose();
  const plan: EmittedPlan = { format: 'depthlab-emitted/1', folder, request: analyzed, layers: config.layers, createdAt: new Date().toISOString() };
  const files = writeEmitted(out, plan, recorder.requests.map((line) => JSON.stringify(line)));
  return { out, requests: recorder.requests.length, files, plan };
}

/** The emitted folder, whole or not at all. */
function writeEmitted(out: string, plan: EmittedPlan, requests: string[]): string[] {
  const files: Record<string, string> = {
    [EMITTED.plan]: `${JSON.stringify(plan, null, 2)}\n`,
    [EMITTED.requests]: `${requests.join('\n')}\n`,
    [EMITTED.script]: fs.readFileSync(engineScript(), 'utf8'),
    [EMITTED.run]: runScript(plan),
    [EMITTED.slurm]: slurmScript(plan),
    [EMITTED.readme]: readme(plan, requests.length),
  };
  return writeFolderAtomic(out, (staging) => {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(staging, name), text, { mode: name.endsWith('.sh') ? 0o755 : 0o644 });
  });
}

const quoted = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;

function runScript(plan: EmittedPlan): string {
  return `#!/bin/sh
# DepthLab's analysis of ${path.basename(plan.folder)} (${plan.layers} layers), to run where the model fits.
# Needs Python with torch and transformers >= 4.56 (accelerate to spread a model over several GPUs).
# MODEL: the model folder on this machine; PYTHON: the interpreter (python3 by default).
# Then bring this folder back: depthlab import <this folder>
set -e
cd "$(dirname "$0")"
MODEL=\${MODEL:-${quoted(plan.folder)}}
"\${PYTHON:-python3}" depthlab_torch.py run ${EMITTED.requests} ${EMITTED.replies} --folder "$MODEL"
# Several processes, each a replica evaluating its share of the windows (rank 0 writes the replies):
#   torchrun --standalone --nproc-per-node 8 depthlab_torch.py run ${EMITTED.requests} ${EMITTED.replies} --folder "$MODEL"
`;
}

function slurmScript(plan: EmittedPlan): string {
  return `#!/bin/bash
# A SLURM example: DepthLab's analysis of ${path.basename(plan.folder)} on 2 nodes of 8 GPUs. Every rank holds a
# replica and evaluates its share of the windows; rank 0 writes ${EMITTED.replies}. Adjust to your cluster.
#SBATCH --job-name=depthlab-analysis
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=1
#SBATCH --gpus-per-node=8
#SBATCH --time=01:00:00
set -e
cd "$SLURM_SUBMIT_DIR"
MODEL=\${MODEL:-${quoted(plan.folder)}}
HEAD=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
srun torchrun --nnodes "$SLURM_NNODES" --nproc-per-node 8 --rdzv-backend c10d --rdzv-endpoint "$HEAD:29500" \\
  depthlab_torch.py run ${EMITTED.requests} ${EMITTED.replies} --folder "$MODEL"
`;
}

function readme(plan: EmittedPlan, requests: number): string {
  return `# DepthLab: an analysis of ${path.basename(plan.folder)} to run elsewhere

Made by \`depthlab analyze --emit-script\` on ${plan.createdAt.slice(0, 10)}: ${requests} requests (${EMITTED.requests}), the
windows of ${plan.request.tokens} tokens of ${plan.request.dataFile ? path.basename(plan.request.dataFile) : 'Moby Dick (bundled)'} among them, for the engine DepthLab
runs in your Python (${EMITTED.script}: torch and transformers >= 4.56; nothing else).

1. Where the model fits: \`MODEL=/path/to/${path.basename(plan.folder)} sh ${EMITTED.run}\` (plain python), or under
   torchrun on one machine (the line in ${EMITTED.run}), or on a cluster (${EMITTED.slurm}). It writes ${EMITTED.replies}.
2. Here: \`depthlab import <this folder>\`. The analysis is written where \`depthlab analyze\` writes it,
   and the Depth Explorer opens it like any other.

Strategies: ${plan.request.strategies?.join(', ')} (the chosen: ${plan.request.strategy}). The others choose from what was
measured and need DepthLab between their steps: run them with \`depthlab --backend torch analyze\`
where the model runs.
`;
}
