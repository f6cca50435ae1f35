import * as tf from '../backend/tf';
import { UserError } from '../errors';
import { readWeight, type WeightFiles } from './weightFiles';

/**
 * The tensors a family asks for, loaded one at a time as float32 TF.js tensors. Names are the
 * family's canonical ones; a checkpoint saved from the bare model (no `transformer.`/`model.`/
 * `bert.` prefix) is found too. Linear weights stored [out, in] (nn.Linear) are transposed once
 * here to the [in, out] that x·W takes.
 */
export class PretrainedWeights {
  readonly tensors = new Map<string, tf.Tensor>();

  constructor(
    readonly files: WeightFiles,
    readonly basePrefix: string,
  ) {}

  /** The stored name of a canonical one, or undefined when the checkpoint lacks it. */
  storedName(name: string): string | undefined {
    if (this.files.entries.has(name)) return name;
    const bare = name.startsWith(this.basePrefix) ? name.slice(this.basePrefix.length) : undefined;
    return bare !== undefined && this.files.entries.has(bare) ? bare : undefined;
  }

  has(name: string): boolean {
    return this.storedName(name) !== undefined;
  }

  load(name: string, expected: number[], layout: 'as-stored' | 'transpose' = 'as-stored'): tf.Tensor {
    const stored = this.storedName(name);
    if (!stored) throw new UserError(`${this.files.folder}: the weights lack ${name}`);
    const { shape, data } = readWeight(this.files, stored);
    if (shape.join() !== expected.join()) throw new UserError(`${this.files.folder}: ${stored} has shape [${shape}]; config.json implies [${expected}]`);
    const tensor = tf.tidy(() => {
      const loaded = tf.tensor(data, shape);
      return layout === 'transpose' ? loaded.transpose() : loaded;
    });
    this.tensors.set(name, tensor);
    return tensor;
  }

  /**
   * A vocabulary-sized table [rows, d] padded with zero rows to a multiple of 4, once: the LM head
   * multiplies by it transposed (matMulTransposedB), which otherwise pads a copy per call. Lookups of
   * real ids never see the padding.
   */
  padRows(name: string): void {
    const table = this.tensors.get(name)!;
    const extra = (4 - (table.shape[0] % 4)) % 4;
    if (extra === 0) return;
    this.tensors.set(name, tf.tidy(() => tf.pad(table, [[0, extra], [0, 0]])));
    table.dispose();
  }

  /** nn.Linear weight [out, in] → [in, out]. */
  linear(name: string, inputs: number, outputs: number): tf.Tensor2D {
    return this.load(name, [outputs, inputs], 'transpose') as tf.Tensor2D;
  }

  dispose(): void {
    for (const tensor of this.tensors.values()) tensor.dispose();
    this.tensors.clear();
  }
}
