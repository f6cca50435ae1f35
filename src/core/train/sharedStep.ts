import { valuesInPlace } from '../backend/valuesInPlace';
import * as tf from '../backend/tf';
import type { Transformer } from '../model/transformer';
import type { AdamW } from './adamW';
import { normsOfSquares, type GradientNorms } from './gradientNorms';
import { ThreadBarrier } from './threadBarrier';
import { applyGradients } from './trainingStep';

/** The shared arrays behind a SharedStep, as they cross to a thread. */
export interface SharedStepMemory {
  /** float32: one slot per thread (its share's gradients), then the average. */
  gradients: SharedArrayBuffer;
  /** float64: each thread's part of every parameter's sum of squared averaged gradients. */
  squares: SharedArrayBuffer;
  /** float64: each thread's share's mean loss (one per thread: how many threads share the step). */
  losses: SharedArrayBuffer;
  /** int32: set when a thread could not compute its share this step. */
  failed: SharedArrayBuffer;
  barrier: Int32Array<SharedArrayBuffer>;
}

/**
 * What the threads of data-parallel training share during a step, so that no gradient is copied
 * into a message: every thread writes its share's gradients to its slot; after a barrier each
 * averages its own 1/T of the elements (and sums their squares, for the norms); after another,
 * every thread reads the whole average. Parameters sit at the same offsets in every slot, in the
 * model's parameter order, which the main model and its replicas share.
 */
export class SharedStep {
  readonly barrier: ThreadBarrier;
  private readonly offsets = new Map<string, { index: number; start: number; shape: number[]; size: number }>();
  private readonly size: number;
  private readonly losses: Float64Array;
  private readonly squares: Float64Array;
  private readonly failed: Int32Array;

  readonly threads: number;

  private constructor(
    model: Transformer,
    readonly memory: SharedStepMemory,
  ) {
    this.threads = memory.losses.byteLength / Float64Array.BYTES_PER_ELEMENT;
    let size = 0;
    for (const [name, param] of model.params) {
      this.offsets.set(name, { index: this.offsets.size, start: size, shape: param.shape, size: param.size });
      size += param.size;
    }
    this.size = size;
    this.barrier = ThreadBarrier.attach(memory.barrier, this.threads);
    this.losses = new Float64Array(memory.losses);
    this.squares = new Float64Array(memory.squares);
    this.failed = new Int32Array(memory.failed);
  }

  static create(model: Transformer, threads: number): SharedStep {
    const size = [...model.params.values()].reduce((sum, param) => sum + param.size, 0);
    const memory: SharedStepMemory = {
      gradients: new SharedArrayBuffer((threads + 1) * size * Float32Array.BYTES_PER_ELEMENT),
      squares: new SharedArrayBuffer(threads * model.params.size * Float64Array.BYTES_PER_ELEMENT),
      losses: new SharedArrayBuffer(threads * Float64Array.BYTES_PER_ELEMENT),
      failed: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT),
      barrier: ThreadBarrier.create(threads).state,
    };
    return new SharedStep(model, memory);
  }

  /** A replica's view of the main thread's memory. */
  static attach(model: Transformer, memory: SharedStepMemory): SharedStep {
    return new SharedStep(model, memory);
  }

  /** Before a step, by the main thread while no other thread is in one. */
  reset(): void {
    Atomics.store(this.failed, 0, 0);
  }

  /** This thread could not compute its share: every thread abandons the step after the first barrier. */
  fail(): void {
    Atomics.store(this.failed, 0, 1);
  }

  get stepFailed(): boolean {
    return Atomics.load(this.failed, 0) === 1;
  }

  /**
   * Thread `slot` computes its share and writes its mean loss and gradients, or marks the step
   * failed: the names of the parameters that have a gradient, or what went wrong.
   */
  share(slot: number, compute: () => { loss: number; grads: Map<string, tf.Tensor> }): { names: string[]; error?: unknown } {
    try {
      const { loss, grads } = compute();
      try {
        this.write(slot, loss, grads);
      } finally {
        tf.dispose([...grads.values()]);
      }
      return { names: [...grads.keys()] };
    } catch (error) {
      this.fail();
      return { names: [], error };
    }
  }

  /** After the second barrier: the whole average applied to this thread's model; its norms. */
  apply(model: Transformer, optimizer: AdamW, names: readonly string[], lr: number, clipNorm: number): GradientNorms {
    return applyGradients(model, optimizer, this.averaged(names), lr, clipNorm, this.norms(names, model.layers));
  }

  /** Thread `slot` writes its share's mean loss and gradients. */
  write(slot: number, loss: number, grads: Map<string, tf.Tensor>): void {
    this.losses[slot] = loss;
    const target = this.slot(slot);
    for (const [name, grad] of grads) target.set(valuesInPlace(grad), this.offsets.get(name)!.start);
  }

  /**
   * Thread `slot`'s 1/T of the elements of the gradients of `names`: their mean over the slots,
   * summed in slot order with each partial sum rounded to float32 as a float32 add would, and
   * the sum of its squares for each parameter.
   */
  averagePart(slot: number, names: readonly string[]): void {
    const mean = this.slot(this.threads);
    const slots = Array.from({ length: this.threads }, (_, i) => this.slot(i));
    const part = Math.ceil(this.size / this.threads);
    const [lo, hi] = [slot * part, Math.min(this.size, (slot + 1) * part)];
    const squares = this.squares.subarray(slot * this.offsets.size, (slot + 1) * this.offsets.size);
    squares.fill(0);
    for (const name of names) {
      const { index, start, size } = this.offsets.get(name)!;
      const [from, to] = [Math.max(lo, start), Math.min(hi, start + size)];
      if (from >= to) continue;
      const sum = mean.subarray(from, to);
      sum.set(slots[0].subarray(from, to));
      for (const other of slots.slice(1)) addInto(sum, other.subarray(from, to));
      squares[index] = divideAndSumSquares(sum, this.threads);
    }
  }

  /** The whole batch's mean loss: the mean of the shares' (equal shares). */
  meanLoss(): number {
    let total = 0;
    for (let i = 0; i < this.threads; i++) total += this.losses[i];
    return total / this.threads;
  }

  /** The averaged gradients' norms, summed in the same order on every thread. */
  norms(names: readonly string[], layers: number): GradientNorms {
    const count = this.offsets.size;
    const squares = names.map((name) => {
      const { index } = this.offsets.get(name)!;
      let total = 0;
      for (let t = 0; t < this.threads; t++) total += this.squares[t * count + index];
      return total;
    });
    return normsOfSquares(names, squares, layers);
  }

  /** The averaged gradients of `names`, as tensors. */
  averaged(names: readonly string[]): Map<string, tf.Tensor> {
    const mean = this.slot(this.threads);
    return new Map(
      names.map((name) => {
        const { start, shape, size } = this.offsets.get(name)!;
        return [name, tf.tensor(mean.subarray(start, start + size), shape)];
      }),
    );
  }

  private slot(index: number): Float32Array {
    return new Float32Array(this.memory.gradients, index * this.size * Float32Array.BYTES_PER_ELEMENT, this.size);
  }
}

// Loops of their own, each over one typed array or two, which V8 compiles to tight code.
function addInto(sum: Float32Array, values: Float32Array): void {
  for (let i = 0; i < sum.length; i++) sum[i] += values[i];
}

function divideAndSumSquares(values: Float32Array, divisor: number): number {
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    values[i] /= divisor;
    squares += values[i] * values[i];
  }
  return squares;
}
