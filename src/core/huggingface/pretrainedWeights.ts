import * as tf from '../backend/tf';
import { bindingLimit, tensorsOnWasmHeap } from '../backend/backends';
import { filledTensor } from '../backend/filledTensor';
import { UserError } from '../errors';
import { layerOf } from './layerNames';
import { ReadBuffers } from './readBuffers';
import { RESIDENT_TABLE_BYTES, TABLE_BLOCK_BYTES, VocabularyTable } from './vocabularyTable';
import { checkFinite, readWeight, type WeightFiles } from './weightFiles';

type Layout = 'as-stored' | 'transpose';


/**
 * The tensors a family asks for, as float32 TF.js tensors. Names are the family's canonical ones; a
 * checkpoint saved from the bare model (no `transformer.`/`model.`/`bert.` prefix) is found too.
 * Linear weights stored [out, in] (nn.Linear) are transposed once to the [in, out] that x·W takes.
 *
 * `streamLayers`: a layer's tensors are read from the file (in its own dtype, through the page
 * cache) when the layer is first used, and evicted when another layer is brought in, so memory
 * holds one layer, not the model (and the vocabulary tables, in blocks, unless they are past
 * `residentTableBytes` of float32).
 */
export class PretrainedWeights {
  private readonly layouts = new Map<string, { shape: number[]; layout: Layout }>();
  private readonly resident = new Map<string, tf.Tensor>();
  readonly tables = new Map<string, VocabularyTable>();
  private residentLayer?: string;
  /** Tensors read (and so checked finite) at least once. */
  private readonly readOnce = new Set<string>();
  /** Seconds spent bringing streamed layers in (reading, decoding, transposing): an analysis's budget counts them apart. */
  secondsReading = 0;
  /** A streamed model's reads on wasm reuse these (each tensor copies its values into the heap when made). */
  private readonly buffers: ReadBuffers | undefined;

  constructor(
    readonly files: WeightFiles,
    readonly basePrefix: string,
    readonly streamLayers = false,
    private readonly residentTableBytes = RESIDENT_TABLE_BYTES,
  ) {
    this.buffers = streamLayers && tensorsOnWasmHeap() ? new ReadBuffers() : undefined;
  }

  /** The stored name of a canonical one, or undefined when the checkpoint lacks it. */
  storedName(name: string): string | undefined {
    if (this.files.entries.has(name)) return name;
    const bare = name.startsWith(this.basePrefix) ? name.slice(this.basePrefix.length) : undefined;
    return bare !== undefined && this.files.entries.has(bare) ? bare : undefined;
  }

  has(name: string): boolean {
    return this.storedName(name) !== undefined;
  }

  /** A tensor's values as float32, checked against the shape the config implies (and for finite values, unless streaming checked them at open); `transpose`: [in, out] from nn.Linear's [out, in]. */
  /** Every tensor's values are checked finite on their first read: a streamed layer's when it is first used, not at open (a pass over the whole file). */
  private read(name: string, expected: number[], transpose = false, into?: Float32Array): Float32Array {
    const first = !this.readOnce.has(name);
    this.readOnce.add(name);
    return readWeight(this.files, this.checked(name, expected), first, transpose, this.buffers, into).data;
  }

  /** The stored name, its shape checked against the one the config implies (from the header: nothing read). */
  private checked(name: string, expected: number[]): string {
    const stored = this.storedName(name);
    if (!stored) throw new UserError(`${this.files.folder}: the weights lack ${name}`);
    const { shape } = this.files.entries.get(stored)!;
    if (shape.join() !== expected.join()) throw new UserError(`${this.files.folder}: ${stored} has shape [${shape}]; config.json implies [${expected}]`);
    return stored;
  }

  /**
   * Register a tensor the family computes with: read now, or when streaming and it belongs to a
   * layer, its shape checked now (from the header) and its values when its layer is first read.
   */
  load(name: string, shape: number[], layout: Layout = 'as-stored'): void {
    this.layouts.set(name, { shape, layout });
    if (this.streamLayers && layerOf(name) !== undefined) this.checked(name, shape);
    else this.materialize(name);
  }

  /** nn.Linear weight [out, in] → [in, out]. */
  linear(name: string, inputs: number, outputs: number): void {
    this.load(name, [outputs, inputs], 'transpose');
  }

  /** A registered tensor, its layer brought in when streaming; undefined for one never registered (an optional bias). */
  get(name: string): tf.Tensor | undefined {
    if (!this.layouts.has(name)) return undefined;
    if (!this.resident.has(name)) this.bringIn(layerOf(name)!);
    return this.resident.get(name);
  }

  /** Every registered tensor of one layer (`prefix` ends with the layer's number and a dot). */
  layerTensors(prefix: string): tf.Tensor[] {
    return [...this.layouts.keys()].filter((name) => name.startsWith(prefix)).map((name) => this.get(name)!);
  }

  /**
   * A vocabulary-sized table [rows, d] (`vocabularyTable.ts`): in blocks that each fit one GPU
   * binding; when streaming, in 64 MiB blocks (every readout of a walk uses it: reading it from the
   * file each time cost GPT-2 small's importance pass a third more), or in the file past 256 MiB.
   */
  loadTable(name: string, rows: number, columns: number): void {
    const stored = this.checked(name, [rows, columns]);
    if (this.streamLayers && 4 * rows * columns > this.residentTableBytes) {
      checkFinite(this.files, stored);
      this.tables.set(name, VocabularyTable.inFile(this.files, stored, this.buffers));
      return;
    }
    this.tables.set(name, VocabularyTable.fromRows(this.read(name, [rows, columns]), rows, columns, this.streamLayers ? TABLE_BLOCK_BYTES : bindingLimit()));
  }

  /** The layer's tensors replace the previous layer's: tensors a walk reads inside tf.tidy are kept past it. */
  private bringIn(layer: string): void {
    if (this.residentLayer !== undefined) {
      for (const [name, tensor] of this.resident) {
        if (layerOf(name) !== this.residentLayer) continue;
        tensor.dispose();
        this.resident.delete(name);
      }
    }
    this.residentLayer = layer;
    const started = performance.now();
    for (const name of this.layouts.keys()) if (layerOf(name) === layer) this.materialize(name);
    this.secondsReading += (performance.now() - started) / 1000;
  }

  private materialize(name: string): void {
    const { shape, layout } = this.layouts.get(name)!;
    const transpose = layout === 'transpose';
    const tensor = filledTensor(transpose ? [shape[1], shape[0]] : shape, (values) => this.read(name, shape, transpose, values));
    this.resident.set(name, tf.keep(tensor));
  }

  dispose(): void {
    for (const tensor of this.resident.values()) tensor.dispose();
    for (const table of this.tables.values()) table.dispose();
    this.resident.clear();
    this.tables.clear();
  }
}
