import * as fs from 'node:fs';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { UserError } from '../errors';
import { builtFile } from '../files/builtFile';
import { chosenPython, usePython } from './torch/pythonChoice';
import { engineScript } from './torch/pythonProbe';
import type { BridgeMessage, TorchBridgeInit } from './torch/torchBridge';

export { engineScript, usePython };

/** torchrun on this machine with `processes` ranks (gloo on the CPU, one GPU a rank with CUDA), as `TorchEngine.open`'s launcher. */
export const torchrun = (processes: number) => [chosenPython(), '-m', 'torch.distributed.run', '--standalone', `--nproc-per-node=${processes}`];

/** How to open a folder: its objective (DepthLab decides it), remote code (off unless asked), and accelerate's max_memory. */
export interface TorchOpenRequest {
  folder: string;
  objective: 'causal-lm' | 'masked-lm';
  trustRemoteCode?: boolean;
  maxMemory?: Record<string, string>;
}

/** What the engine found when it opened a model: the architecture, where its layers sit, its dtype and devices, and what its sub-blocks allow. */
export interface TorchModelDescription {
  modelType: string;
  className: string;
  layers: number;
  /** The layer list's tensor-name prefix, e.g. `model.layers.`. */
  layerPrefix: string;
  basePrefix: string;
  objective: 'causal-lm' | 'masked-lm';
  dtype: string;
  parameters: number;
  placedOn: string[];
  partsInseparable: string | null;
  /** The last name of every linear map in a layer (LoRA targets). */
  linearModules: string[];
  conv1d: boolean;
  world: number;
}

/** A reply's per-batch numbers, from their base64 bytes. */
export const decodeValues = (values: readonly string[]) =>
  values.map((text) => {
    const bytes = Buffer.from(text, 'base64');
    return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  });

type Reply<T> = { id: number; ok: T } | { id: number; error: string; kind: 'user' | 'oom' | 'internal' };

/**
 * transformers' modeling code in the user's Python (depthlab_torch.py), driven synchronously: one
 * request at a time, the job thread waiting on a bridge thread that owns the process's pipes. The
 * process ends with the job's (it watches its parent), so Cancel ends the whole tree.
 */
export class TorchEngine {
  private nextId = 1;
  private closed = false;
  readonly pid: number;

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly flag: Int32Array,
  ) {
    const first = this.receive();
    if (!('pid' in first)) throw this.ended(first, 'starting');
    this.pid = first.pid;
  }

  /**
   * Start the engine in the chosen Python (`usePython`) and open `request.folder`. With `launcher`
   * (torchrun and its arguments) every rank holds a replica and rank 0 answers.
   */
  static open(request: TorchOpenRequest, launcher: string[] = []): { engine: TorchEngine; description: TorchModelDescription } {
    const script = builtFile('torchBridge.js');
    if (!fs.existsSync(script)) throw new Error(`${script} is missing; run npm run build`);
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const [command, ...args] = launcher.length ? [...launcher, engineScript(), 'serve'] : [chosenPython(), engineScript(), 'serve'];
    const env = { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', DEPTHLAB_WATCH_PARENT: '1', TRANSFORMERS_VERBOSITY: 'error', HF_HUB_OFFLINE: '1', HF_HUB_DISABLE_PROGRESS_BARS: '1', TQDM_DISABLE: '1', TOKENIZERS_PARALLELISM: 'false' };
    const worker = new Worker(script, { workerData: { command, args, env, flag, port: port2 } satisfies TorchBridgeInit, transferList: [port2] });
    worker.unref();
    const engine = new TorchEngine(worker, port1, flag);
    try {
      return { engine, description: engine.call<TorchModelDescription>('open', { ...request }) };
    } catch (error) {
      engine.close();
      throw error;
    }
  }

  /** A batch task's request (huggingface/torchAnswers.ts writes it), answered with its per-batch numbers in batch order. */
  batches(request: { task: object; batches: object[] }): Float64Array[] {
    return decodeValues(this.call<{ values: string[] }>('batches', request).values);
  }

  weightL1(): number[] {
    return this.call<{ l1: number[] }>('weightL1', {}).l1;
  }

  exportTo(out: string, keep: readonly number[], configChanges: Record<string, unknown>): void {
    this.call('export', { out, keep, configChanges });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.postMessage(null);
    this.port.close();
  }

  /** One request, answered: a user problem is a UserError in one line, anything else an Error naming the request. */
  call<T>(op: string, payload: object): T {
    if (this.closed) throw new Error(`the torch engine is closed (${op})`);
    const id = this.nextId++;
    Atomics.store(this.flag, 0, 0);
    this.worker.postMessage(JSON.stringify({ id, op, ...payload }));
    const reply = this.reply<T>(op);
    if ('ok' in reply) return reply.ok;
    if (reply.kind === 'internal') throw new Error(`the torch engine failed (${op}): ${reply.error}`);
    throw new UserError(reply.error);
  }

  /** The next reply line; anything else on the engine's stdout (a launcher's own messages) is passed over. */
  private reply<T>(op: string): Reply<T> {
    for (;;) {
      const message = this.receive();
      if (!('line' in message)) {
        this.closed = true;
        throw this.ended(message, op);
      }
      if (message.line.startsWith('{"id"')) return JSON.parse(message.line) as Reply<T>;
    }
  }

  private receive(): BridgeMessage {
    for (;;) {
      const message = receiveMessageOnPort(this.port)?.message as BridgeMessage | undefined;
      if (message) return message;
      Atomics.wait(this.flag, 0, 0);
      Atomics.store(this.flag, 0, 0);
    }
  }

  private ended(message: BridgeMessage, op: string): Error {
    if (!('exited' in message)) return new Error(`the torch engine answered out of turn (${op})`);
    const { code, signal, stderr, error } = message.exited;
    const how = error ?? (signal ? `was killed (${signal})` : `exited with code ${code}`);
    const last = stderr.split('\n').filter((line) => line.trim() && !line.startsWith('  ')).at(-1);
    return new UserError(`the torch engine (${chosenPython()}) ${how} while ${op === 'open' ? 'opening the model' : op}; nothing was written${last ? `. Its last words: ${last.slice(0, 300)}` : ''}`);
  }
}
