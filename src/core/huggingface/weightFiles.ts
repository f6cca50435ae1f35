import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { decodeFloats } from './halfFloats';

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

/** The stored bytes of one tensor, as they are in the file. */
export function readRawWeight(weights: WeightFiles, entry: WeightEntry): Buffer {
  const bytes = Buffer.alloc(entry.end - entry.begin);
  const fd = fs.openSync(path.join(weights.folder, entry.file), 'r');
  try {
    fs.readSync(fd, bytes, 0, bytes.length, entry.begin);
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

/**
 * One tensor as float32, converted from F16 or BF16 as it is read. A NaN or an infinity in it is a
 * user error naming the tensor: every loss it touched would be NaN, and a "choice" made from them.
 */
export function readWeight(weights: WeightFiles, name: string): { shape: number[]; data: Float32Array } {
  const entry = weights.entries.get(name);
  if (!entry) throw new UserError(`${weights.folder}: no tensor ${name} in the weights`);
  const file = path.join(weights.folder, entry.file);
  if (!FLOATS.includes(entry.dtype)) throw new UserError(`${file}: tensor ${name} has dtype ${entry.dtype}; DepthLab computes with F32, F16 and BF16 weights`);
  const data = decodeFloats(entry.dtype as WeightDtype, readRawWeight(weights, entry));
  const bad = data.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) throw new UserError(`${file}: tensor ${name} holds ${data[bad]} at element ${bad} (of ${data.length}); a model with non-finite weights cannot be measured`);
  return { shape: entry.shape, data };
}
