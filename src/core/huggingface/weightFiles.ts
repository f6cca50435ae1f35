import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { decodeFloats, decodeFloatsInto } from './halfFloats';
import type { ReadBuffers } from './readBuffers';
import { transposed, transposedBf16 } from './transposed';

/** The float dtypes DepthLab computes with; they load as float32. */
export type WeightDtype = 'F32' | 'F16' | 'BF16';
const FLOATS: readonly string[] = ['F32', 'F16', 'BF16'];
/** Every dtype the safetensors format names, by bytes per element: others (buffers such as GPT-2's attn.bias) are carried along, not computed with. */
const BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1 };

export interface WeightEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** The shard holding it, a path relative to the model folder. */
  file: string;
  /** Absolute byte range in that file. */
  begin: number;
  end: number;
}

/** The tensors of a Hugging Face folder: `model.safetensors`, or shards listed by `model.safetensors.index.json`. */
export interface WeightFiles {
  folder: string;
  /** Shard file names in index order (one name when the folder is not sharded). */
  shards: string[];
  entries: Map<string, WeightEntry>;
  /** The index's `metadata`, kept for the rewritten index. */
  indexMetadata?: Record<string, unknown>;
}

const INDEX = 'model.safetensors.index.json';
const SINGLE = 'model.safetensors';

/** Reads the headers only; tensors are read one at a time by `readWeight`, so no second copy of the model is held. */
export function openWeights(folder: string): WeightFiles {
  const indexFile = path.join(folder, INDEX);
  if (fs.existsSync(indexFile)) {
    let index: { metadata?: Record<string, unknown>; weight_map?: Record<string, string> };
    try {
      index = JSON.parse(fs.readFileSync(indexFile, 'utf8'));
    } catch (error) {
      throw new UserError(`${indexFile}: not JSON (${(error as Error).message})`);
    }
    if (!index.weight_map || typeof index.weight_map !== 'object') throw new UserError(`${indexFile}: no "weight_map" object naming each tensor's shard`);
    const shards = [...new Set(Object.values(index.weight_map))];
    const entries = new Map<string, WeightEntry>();
    for (const shard of shards) for (const entry of readHeader(folder, shard)) entries.set(entry.name, entry);
    for (const [name, shard] of Object.entries(index.weight_map)) {
      if (entries.get(name)?.file !== shard) throw new UserError(`${indexFile}: weight_map puts ${name} in ${shard}, which does not hold it`);
    }
    return { folder, shards, entries, indexMetadata: index.metadata };
  }
  if (!fs.existsSync(path.join(folder, SINGLE))) {
    const bins = fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith('.bin') || f.endsWith('.pt')) : [];
    const hint = bins.length ? ` (found ${bins.join(', ')}: convert to safetensors, e.g. model.save_pretrained(dir, safe_serialization=True))` : '';
    throw new UserError(`${folder}: no weights: expected ${SINGLE} or ${INDEX}${hint}`);
  }
  return { folder, shards: [SINGLE], entries: new Map(readHeader(folder, SINGLE).map((e) => [e.name, e])) };
}

function readHeader(folder: string, shard: string): WeightEntry[] {
  const file = path.join(folder, shard);
  const fail = (why: string) => new UserError(`${file}: ${why}`);
  if (!fs.existsSync(file)) throw fail('missing (named by the shard index)');
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  try {
    if (size < 8) throw fail('too short to be a safetensors file');
    const lengthBytes = Buffer.alloc(8);
    fs.readSync(fd, lengthBytes, 0, 8, 0);
    const headerLength = Number(lengthBytes.readBigUInt64LE(0));
    if (8 + headerLength > size) throw fail('truncated: the header runs past the end of the file');
    const headerBytes = Buffer.alloc(headerLength);
    fs.readSync(fd, headerBytes, 0, headerLength, 8);
    let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    try {
      header = JSON.parse(headerBytes.toString('utf8'));
    } catch {
      throw fail('not a safetensors file (its header is not JSON)');
    }
    const dataStart = 8 + headerLength;
    return Object.entries(header)
      .filter(([name]) => name !== '__metadata__')
      .map(([name, { dtype, shape, data_offsets: [begin, end] }]) => {
        if (!(dtype in BYTES)) throw fail(`tensor ${name} has dtype ${dtype}, which safetensors does not define; allowed: ${Object.keys(BYTES).join(', ')}`);
        const count = shape.reduce((a, b) => a * b, 1);
        if (end - begin !== count * BYTES[dtype]) throw fail(`tensor ${name}: ${end - begin} bytes do not hold shape [${shape}] of ${dtype}`);
        if (dataStart + end > size) throw fail(`truncated: tensor ${name} ends at byte ${dataStart + end}, the file has ${size}`);
        return { name, dtype, shape, file: shard, begin: dataStart + begin, end: dataStart + end };
      });
  } finally {
    fs.closeSync(fd);
  }
}

/** The stored bytes of one tensor, as they are in the file (in `buffers`' byte buffer where given). */
export function readRawWeight(weights: WeightFiles, entry: WeightEntry, buffers?: ReadBuffers): Buffer {
  // A buffer of its own (offset 0, aligned, not zero-filled): the read fills it whole or fails.
  const bytes = buffers ? buffers.bytes(entry.end - entry.begin) : Buffer.allocUnsafeSlow(entry.end - entry.begin);
  const fd = fs.openSync(path.join(weights.folder, entry.file), 'r');
  try {
    readFully(weights, entry, fd, bytes, entry.begin);
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

/** Fill `bytes` from `position` of the entry's shard; a file cut short since it was opened is one error naming the tensor. */
function readFully(weights: WeightFiles, entry: WeightEntry, fd: number, bytes: Buffer, position: number): void {
  const read = fs.readSync(fd, bytes, 0, bytes.length, position);
  if (read < bytes.length) throw new UserError(`${path.join(weights.folder, entry.file)}: truncated: tensor ${entry.name} ends at byte ${entry.end}, the file ends at ${position + read}`);
}

/**
 * One tensor as float32, converted from F16 or BF16 as it is read (F32 is read straight into its
 * array); `finite`: a NaN or infinity in it is a user error (`finiteOrFail`); `transpose`: a 2-D
 * tensor [rows, columns] comes back [columns, rows] (BF16 decoded and transposed in one pass).
 * With `buffers`, the values are a view of its arrays, valid until the next read.
 */
export function readWeight(weights: WeightFiles, name: string, finite = false, transpose = false, buffers?: ReadBuffers, into?: Float32Array): { shape: number[]; data: Float32Array } {
  const entry = computedEntry(weights, name);
  const raw = readRawWeight(weights, entry, buffers);
  if (finite) finiteOrFail(weights, entry, raw);
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const floats = () => into ?? buffers?.floats(count) ?? new Float32Array(count);
  const dtype = entry.dtype as WeightDtype;
  if (!transpose && dtype === 'F32') {
    const values = new Float32Array(raw.buffer, 0, count);
    return { shape: entry.shape, data: into ? (into.set(values), into) : values };
  }
  if (!transpose) return { shape: entry.shape, data: decodedInto(dtype, raw, floats()) };
  const [rows, columns] = entry.shape;
  if (dtype === 'BF16') return { shape: [columns, rows], data: transposedBf16(new Uint16Array(raw.buffer, 0, count), rows, columns, floats()) };
  // F32's bytes are its values; F16 is decoded into an array of its own, `floats` taking the transpose.
  const values = dtype === 'F32' ? new Float32Array(raw.buffer, 0, count) : decodedInto(dtype, raw, new Float32Array(count));
  return { shape: [columns, rows], data: transposed(values, rows, columns, floats()) };
}

function decodedInto(dtype: WeightDtype, raw: Buffer, out: Float32Array): Float32Array {
  decodeFloatsInto(dtype, raw, out, 0);
  return out;
}

/**
 * Rows `ids` of a 2-D tensor [rows, columns] as float32, [ids, columns], read from the file (runs of
 * consecutive ids in one read): a vocabulary table's rows without the table in memory. With
 * `buffers`, a view of its arrays, valid until the next read.
 */
export function readFloatRows(weights: WeightFiles, name: string, ids: Int32Array, buffers?: ReadBuffers): Float32Array {
  const entry = computedEntry(weights, name);
  const columns = entry.shape[1];
  const rowBytes = columns * BYTES[entry.dtype];
  const out = buffers?.floats(ids.length * columns) ?? new Float32Array(ids.length * columns);
  const fd = fs.openSync(path.join(weights.folder, entry.file), 'r');
  try {
    for (let i = 0; i < ids.length; ) {
      let run = 1;
      while (i + run < ids.length && ids[i + run] === ids[i] + run) run++;
      // A buffer of its own (offset 0, not zero-filled): the read fills it whole or fails.
      const bytes = buffers?.bytes(run * rowBytes) ?? Buffer.allocUnsafeSlow(run * rowBytes);
      readFully(weights, entry, fd, bytes, entry.begin + ids[i] * rowBytes);
      decodeFloatsInto(entry.dtype as WeightDtype, bytes, out, i * columns);
      i += run;
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

function computedEntry(weights: WeightFiles, name: string): WeightEntry {
  const entry = weights.entries.get(name);
  if (!entry) throw new UserError(`${weights.folder}: no tensor ${name} in the weights`);
  if (!FLOATS.includes(entry.dtype)) throw new UserError(`${path.join(weights.folder, entry.file)}: tensor ${name} has dtype ${entry.dtype}; DepthLab computes with F32, F16 and BF16 weights`);
  return entry;
}

/**
 * A NaN or an infinity in a tensor's stored bits (every exponent bit set) is a user error naming the
 * tensor: every loss it touched would be NaN, and a "choice" made from them.
 */
function finiteOrFail(weights: WeightFiles, entry: WeightEntry, raw: Buffer, firstElement = 0): void {
  const size = BYTES[entry.dtype];
  const wide = size === 4;
  const words = wide ? new Uint32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4) : new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
  const exponent = wide ? 0x7f800000 : entry.dtype === 'F16' ? 0x7c00 : 0x7f80;
  let bad = 0;
  while (bad < words.length && (words[bad] & exponent) !== exponent) bad++;
  if (bad === words.length) return;
  const value = decodeFloats(entry.dtype as WeightDtype, raw.subarray(bad * size, (bad + 1) * size))[0];
  const elements = (entry.end - entry.begin) / size;
  throw new UserError(`${path.join(weights.folder, entry.file)}: tensor ${entry.name} holds ${value} at element ${firstElement + bad} (of ${elements}); a model with non-finite weights cannot be measured`);
}

/** Bytes of a tensor read at once to check it: the tensor is not kept (a streamed model's tensors, at open). */
const CHECK_CHUNK_BYTES = 64 * 2 ** 20;

/** Check a tensor's values are finite, reading it a chunk at a time and keeping nothing. */
export function checkFinite(weights: WeightFiles, name: string): void {
  const entry = computedEntry(weights, name);
  const fd = fs.openSync(path.join(weights.folder, entry.file), 'r');
  const chunk = Buffer.alloc(Math.min(CHECK_CHUNK_BYTES, entry.end - entry.begin));
  try {
    for (let offset = entry.begin; offset < entry.end; offset += chunk.length) {
      const length = Math.min(chunk.length, entry.end - offset);
      fs.readSync(fd, chunk, 0, length, offset);
      finiteOrFail(weights, entry, chunk.subarray(0, length), (offset - entry.begin) / BYTES[entry.dtype]);
    }
  } finally {
    fs.closeSync(fd);
  }
}
