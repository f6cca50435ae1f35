/**
 * 16-bit floats to float32 and back. BF16 is the top half of a float32; F16 (IEEE half) has 5
 * exponent bits, so subnormals, infinities and NaN need their own cases. Decoding is exact;
 * encoding rounds to nearest, ties to even, as PyTorch's `.to(dtype)` does.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function bf16ToF32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = bits[i] << 16;
  return out;
}

export function f16ToF32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) out[i] = sign * fraction * 2 ** -24;
    else if (exponent === 0x1f) out[i] = fraction ? NaN : sign * Infinity;
    else out[i] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return out;
}

export function f32ToBf16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i];
    const bits = u32[0];
    out[i] = Number.isNaN(values[i]) ? 0x7fc0 : (bits + 0x7fff + ((bits >> 16) & 1)) >>> 16;
  }
  return out;
}

export function f32ToF16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
    const magnitude = Math.abs(value);
    if (Number.isNaN(value)) out[i] = 0x7e00;
    else if (magnitude >= 65520) out[i] = sign | 0x7c00;
    else if (magnitude < 2 ** -14) out[i] = sign | roundEven(magnitude * 2 ** 24);
    else {
      let exponent = Math.floor(Math.log2(magnitude));
      if (magnitude < 2 ** exponent) exponent--;
      const scaled = magnitude / 2 ** exponent;
      // A mantissa that rounds up to 2 carries into the exponent: the bit arithmetic does it.
      out[i] = sign | (((exponent + 15) << 10) + roundEven((scaled - 1) * 1024));
    }
  }
  return out;
}

function roundEven(x: number): number {
  const floor = Math.floor(x);
  const rest = x - floor;
  return rest > 0.5 || (rest === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
}

/** Stored little-endian bytes of F32, F16 or BF16 values as float32, and back. */
export function decodeFloats(dtype: 'F32' | 'F16' | 'BF16', bytes: Uint8Array): Float32Array {
  const aligned = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return dtype === 'F32' ? new Float32Array(aligned) : (dtype === 'BF16' ? bf16ToF32 : f16ToF32)(new Uint16Array(aligned));
}

/**
 * `decodeFloats` written straight into `out` from `offset`: no intermediate arrays, for the
 * vocabulary blocks a streamed model reads at every readout. `bytes` must start on an even byte.
 */
export function decodeFloatsInto(dtype: 'F32' | 'F16' | 'BF16', bytes: Uint8Array, out: Float32Array, offset: number): void {
  if (dtype !== 'BF16') {
    out.set(decodeFloats(dtype, bytes), offset);
    return;
  }
  const bits = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  const outBits = new Uint32Array(out.buffer, out.byteOffset + 4 * offset, bits.length);
  for (let i = 0; i < bits.length; i++) outBits[i] = bits[i] << 16;
}

export function encodeFloats(dtype: 'F32' | 'F16' | 'BF16', values: Float32Array): Uint8Array {
  const encoded = dtype === 'F32' ? values : dtype === 'BF16' ? f32ToBf16(values) : f32ToF16(values);
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}
