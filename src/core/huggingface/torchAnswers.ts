import type { TorchEngine } from '../backend/torchEngine';
import type { Batch } from '../data/batch';
import type { BatchTask } from '../model/layeredModel';

/**
 * What a model on the torch backend asks of its engine: the live Python process, or a script that
 * ran elsewhere and left its replies (depthlab analyze --emit-script, depthlab import).
 */
export interface TorchAnswers {
  /** The per-batch numbers of a batch task (evaluate/batchTasks.ts), in batch order. */
  batches(task: BatchTask, batches: readonly Batch[]): Float64Array[];
  weightL1(): number[];
  /** The kept layers saved into `out` by transformers' save_pretrained, with `configChanges` set on the model's config first. */
  exportTo(out: string, keep: readonly number[], configChanges: Record<string, unknown>): void;
  close(): void;
}

const bytesOf = (array: ArrayBufferView) => Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');

/** A batch task's request as the engine reads it: each batch's data (little-endian bytes, base64) the first time, then only its id. */
export class BatchSpecs {
  private nextBatch = 1;
  private readonly ids = new WeakMap<Batch, number>();
  private readonly sent = new Set<number>();

  request(task: BatchTask, batches: readonly Batch[]): { task: BatchTask; batches: object[] } {
    return { task, batches: batches.map((batch) => this.spec(batch)) };
  }

  private spec(batch: Batch): object {
    let id = this.ids.get(batch);
    if (id === undefined) this.ids.set(batch, (id = this.nextBatch++));
    if (this.sent.has(id)) return { id };
    this.sent.add(id);
    return {
      id,
      size: batch.size,
      length: batch.length,
      inputs: bytesOf(batch.inputs),
      targets: bytesOf(batch.targets),
      ...(batch.mask && { mask: bytesOf(batch.mask) }),
      ...(batch.predicted && { predicted: bytesOf(batch.predicted) }),
      ...(batch.spans && { spans: bytesOf(batch.spans) }),
    };
  }
}

/** The live engine's answers: each request written once per batch by BatchSpecs, and sent. */
export function liveAnswers(engine: TorchEngine): TorchAnswers {
  const specs = new BatchSpecs();
  return {
    batches: (task, batches) => engine.batches(specs.request(task, batches)),
    weightL1: () => engine.weightL1(),
    exportTo: (out, keep, changes) => engine.exportTo(out, keep, changes),
    close: () => engine.close(),
  };
}
