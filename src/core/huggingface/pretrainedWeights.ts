import * as tf from '../backend/tf';
import { UserError } from '../errors';
import { bindingLimit } from '../backend/webgpu/webgpuBackend';
import { VocabularyTable } from './vocabularyTable';
import { readWeight, type WeightFiles } from './weightFiles';

/**
 * The tensors a family asks for, loaded one at a time as float32 TF.js tensors. Names are the
 * family's canonical ones; a checkpoint saved from the bare model (no `transformer.`/`model.`/
 * `bert.` prefix) is found too. Linear weights stored [out, in] (nn.Linear) are transposed once
 * here to the [in, out] that x·W takes.
 */
export class PretrainedWeights {
  readonly tensors = new Map<string, tf.Tensor>();
  readonly tables = new Map<string, VocabularyTable>();

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

  /** A tensor's values as float32, checked against the shape the config implies. */
  private read(name: string, expected: number[]): Float32Array {
    const stored = this.storedName(name);
    if (!stored) throw new UserError(`${this.files.folder}: the weights lack ${name}`);
    const { shape, data } = readWeight(this.files, stored);
    if (shape.join() !== expected.join()) throw new UserError(`${this.files.folder}: ${stored} has shape [${shape}]; config.json implies [${expected}]`);
    return data;
  }

  load(name: string, shape: number[], layout: 'as-stored' | 'transpose' = 'as-stored'): tf.Tensor {
    const data = this.read(name, shape);
    const tensor = tf.tidy(() => {
      const loaded = tf.tensor(data, shape);
      return layout === 'transpose' ? loaded.transpose() : loaded;
    });
    this.tensors.set(name, tensor);
    return tensor;
  }

  /** A vocabulary-sized table [rows, d], in blocks that each fit one GPU binding (`vocabularyTable.ts`). */
  loadTable(name: string, rows: number, columns: number): VocabularyTable {
    const table = VocabularyTable.fromRows(this.read(name, [rows, columns]), rows, columns, bindingLimit());
    this.tables.set(name, table);
    return table;
  }

  /** nn.Linear weight [out, in] → [in, out]. */
  linear(name: string, inputs: number, outputs: number): tf.Tensor2D {
    return this.load(name, [outputs, inputs], 'transpose') as tf.Tensor2D;
  }

  dispose(): void {
    for (const tensor of this.tensors.values()) tensor.dispose();
    for (const table of this.tables.values()) table.dispose();
    this.tensors.clear();
    this.tables.clear();
  }
}
