import * as fs from 'node:fs';
import { writeFileAtomic } from '../files/atomicWrite';
import { UserError } from '../errors';
import { unreadableFile } from '../files/unreadableFile';

/** One float32 tensor as stored in a safetensors file. */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: Map<string, NamedTensor>;
  /** `__metadata__`: string keys to string values, as the format requires. */
  metadata: Record<string, string>;
}

/** One tensor's stored bytes, in any dtype the format names. */
export interface RawTensor {
  name: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/**
 * The safetensors layout (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length, a JSON header padded with spaces to 8 bytes, then the raw little-endian data.
 * No maintained npm package writes this format, and it is this small.
 */
export function encodeRawSafetensors(tensors: RawTensor[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const { name, dtype, shape, bytes } of tensors) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.byteLength] };
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let position = 8 + headerBytes.length;
  for (const { bytes } of tensors) {
    out.set(bytes, position);
    position += bytes.byteLength;
  }
  return out;
}

/** DepthLab's own checkpoints: F32 tensors and string metadata. */
export function encodeSafetensors({ tensors, metadata }: SafetensorsFile): Uint8Array {
  const raw = [...tensors].map(([name, { shape, data }]) => {
    if (shape.reduce((a, b) => a * b, 1) !== data.length) throw new Error(`tensor ${name}: shape ${shape} does not hold ${data.length} values`);
    return { name, dtype: 'F32', shape, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  });
  return encodeRawSafetensors(raw, metadata);
}

export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors file'): SafetensorsFile {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string) => new UserError(`${source} is not a valid safetensors file: ${why}`);
  if (buffer.length < 8) throw fail('too short');
  const headerLength = Number(buffer.readBigUInt64LE(0));
  if (8 + headerLength > buffer.length) throw fail('header runs past the end of the file');
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(buffer.subarray(8, 8 + headerLength).toString('utf8'));
  } catch {
    throw fail('header is not JSON');
  }
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, NamedTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: [begin, end] } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (dtype !== 'F32') throw fail(`tensor ${name} has dtype ${dtype}; DepthLab reads F32`);
    if (dataStart + end > buffer.length || (end - begin) !== shape.reduce((a, b) => a * b, 1) * 4) throw fail(`tensor ${name} has bad offsets`);
    const copy = new Float32Array(shape.reduce((a, b) => a * b, 1));
    Buffer.from(copy.buffer).set(buffer.subarray(dataStart + begin, dataStart + end));
    tensors.set(name, { shape, data: copy });
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string>) ?? {} };
}

export function writeSafetensors(file: string, content: SafetensorsFile): void {
  writeFileAtomic(file, encodeSafetensors(content));
}

export function readSafetensors(file: string): SafetensorsFile {
  const problem = unreadableFile(file, 'checkpoint');
  if (problem) throw new UserError(problem);
  return decodeSafetensors(fs.readFileSync(file), file);
}

/** A JSON value DepthLab keeps in a file's `__metadata__`; a damaged one is a user error naming the file and the key. */
export function metadataJson<T>(file: string, metadata: Record<string, string>, key: string): T {
  try {
    return JSON.parse(metadata[key]) as T;
  } catch {
    throw new UserError(`${file}: its metadata "${key}" is ${metadata[key] === undefined ? 'missing' : 'not JSON'}; the file is damaged: resume or export another run, or train again`);
  }
}
