import { decodeValues, type TorchModelDescription } from '../backend/torchEngine';
import type { Batch } from '../data/batch';
import { BatchSpecs, type TorchAnswers } from '../huggingface/torchAnswers';
import type { PruneStrategy } from '../config/choices';
import { UserError } from '../errors';
import { nativeFamily } from '../huggingface/families/families';
import { layerPrefixOf } from '../huggingface/layerNames';
import type { PretrainedConfig } from '../huggingface/pretrainedConfig';
import type { WeightFiles } from '../huggingface/weightFiles';
import type { BatchTask } from '../model/layeredModel';

/** The files of an emitted analysis: what --emit-script writes, the script's replies, and what depthlab import reads. */
export const EMITTED = {
  plan: 'emitted.json',
  requests: 'requests.jsonl',
  replies: 'replies.jsonl',
  script: 'depthlab_torch.py',
  run: 'run.sh',
  slurm: 'slurm.sbatch',
  readme: 'README.md',
} as const;

/**
 * The strategies whose sub-networks depend on no measurement (every other layer, spread evenly):
 * every request of their analysis is known before the model runs, so a script can answer them all
 * in one go. The others choose from what was measured (importance, contiguous blocks, the searches)
 * and need DepthLab between their steps.
 */
export const SCRIPTABLE_STRATEGIES: readonly PruneStrategy[] = ['every-other', 'spread'];

/** A request as the engine reads it, one JSON line. */
export type ScriptRequest = { id: number; op: string; [key: string]: unknown };

/** A batch task's per-batch numbers of the right shape, all zero but the counts: what the recording answers, never shown. */
function placeholder(task: BatchTask, batch: Batch, layers: number): Float64Array {
  const tokens = batch.size * batch.length;
  switch (task.kind) {
    case 'evaluate':
      return Float64Array.from({ length: 2 + 3 * task.subnetworks.length }, (_, i) => (i === 0 ? tokens : 0));
    case 'layer-statistics':
      return Float64Array.from({ length: 2 + 2 * layers + 1 }, (_, i) => (i < 2 ? tokens : 0));
    case 'angular':
      return Float64Array.from({ length: 1 + (layers * (layers + 1)) / 2 }, (_, i) => (i === 0 ? tokens : 0));
    case 'estimates':
      return Float64Array.from({ length: 3 + 2 * layers + (layers * (layers + 1)) / 2 }, (_, i) => (i < 2 ? tokens : 0));
    case 'choices':
      return Float64Array.from({ length: 1 + task.subnetworks.length * batch.size }, (_, i) => (i === 0 ? batch.size : 0));
  }
}

/**
 * Answers nothing: records every request an analysis makes, exactly as the live engine would receive
 * it, and hands back placeholders. Only analyses whose requests do not depend on the answers are
 * recorded (SCRIPTABLE_STRATEGIES; no sub-block search, no budget).
 */
export class RequestRecorder implements TorchAnswers {
  readonly requests: ScriptRequest[] = [];
  private readonly specs = new BatchSpecs();

  constructor(
    open: Omit<ScriptRequest, 'id' | 'op'>,
    private readonly layers: number,
  ) {
    this.requests.push({ id: 1, op: 'open', ...open });
  }

  batches(task: BatchTask, batches: readonly Batch[]): Float64Array[] {
    this.requests.push({ id: this.requests.length + 1, op: 'batches', ...this.specs.request(task, batches) });
    return batches.map((batch) => placeholder(task, batch, this.layers));
  }

  weightL1(): number[] {
    this.requests.push({ id: this.requests.length + 1, op: 'weightL1' });
    return new Array<number>(this.layers).fill(0);
  }

  exportTo(): void {
    throw new UserError('an emitted analysis measures; export the model where it runs (depthlab --backend torch export)');
  }

  close(): void {
    this.requests.push({ id: this.requests.length + 1, op: 'close' });
  }
}

type ScriptReply = { id: number; ok?: { values?: string[]; l1?: number[] } & Record<string, unknown>; error?: string };

/**
 * Answers from a script's replies: each request the analysis makes now must be the recorded one,
 * batch data and all (the same windows, token ids and sub-networks), and gets its recorded reply.
 */
export class ReplyReader implements TorchAnswers {
  private next = 1;
  private readonly specs = new BatchSpecs();
  private readonly replies: Map<number, ScriptReply>;

  constructor(
    private readonly requests: ScriptRequest[],
    replies: ScriptReply[],
    private readonly where: string,
  ) {
    this.replies = new Map(replies.map((reply) => [reply.id, reply]));
  }

  /** The reply to the open request: what transformers found when it opened the model. */
  opened(): TorchModelDescription {
    return this.answer(this.requests[0]) as unknown as TorchModelDescription;
  }

  batches(task: BatchTask, batches: readonly Batch[]): Float64Array[] {
    const asked = this.specs.request(task, batches);
    const recorded = this.take('batches');
    if (JSON.stringify({ task: recorded.task, batches: recorded.batches }) !== JSON.stringify(asked)) {
      throw new UserError(`${this.where}: request ${recorded.id} is not what this analysis asks now (the text, the tokenizer or the options changed since --emit-script); emit the script again`);
    }
    return decodeValues(this.answer(recorded).values as string[]);
  }

  weightL1(): number[] {
    return this.answer(this.take('weightL1')).l1 as number[];
  }

  exportTo(): void {
    throw new UserError('an imported analysis has no model to export from; export where the model runs (depthlab --backend torch export)');
  }

  close(): void {}

  private take(op: string): ScriptRequest {
    const request = this.requests[this.next++];
    if (request?.op !== op) throw new UserError(`${this.where}: the analysis asks for ${op} where the script recorded ${request?.op ?? 'nothing more'}; emit the script again`);
    return request;
  }

  private answer(request: ScriptRequest): NonNullable<ScriptReply['ok']> {
    const reply = this.replies.get(request.id);
    if (!reply) throw new UserError(`${this.where}: no reply to request ${request.id} (${request.op}); did the script finish?`);
    if (reply.error !== undefined || !reply.ok) throw new UserError(`${this.where}: the script's reply to request ${request.id} (${request.op}): ${reply.error}`);
    return reply.ok;
  }
}

/**
 * What the model will look like to the analysis before it runs: its layers counted from the config
 * and numbered in its files; the rest (dtype, devices, sub-blocks) is the script's to find.
 */
export function provisionalDescription(config: PretrainedConfig, files: WeightFiles, objective: 'causal-lm' | 'masked-lm'): TorchModelDescription {
  const layerPrefix = layerPrefixOf(files.entries.keys(), config.layers);
  if (!layerPrefix) throw new UserError(`${config.folder}: no tensors numbered 0…${config.layers - 1} in its weights; DepthLab cannot tell where its layers are`);
  return {
    modelType: config.modelType,
    className: String((config.raw.architectures as string[] | undefined)?.[0] ?? config.modelType),
    layers: config.layers,
    layerPrefix,
    basePrefix: nativeFamily(config)?.basePrefix(config) ?? '',
    objective,
    dtype: String(config.raw.torch_dtype ?? config.raw.dtype ?? 'float32'),
    parameters: 0,
    placedOn: [],
    partsInseparable: null,
    linearModules: [],
    conv1d: false,
    world: 1,
  };
}
