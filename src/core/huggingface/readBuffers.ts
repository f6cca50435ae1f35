/**
 * The arrays a streamed model's reads reuse, one for the file's bytes and one for float32 values,
 * each grown to the largest read so far. Only where a tensor copies its values when it is made
 * (wasm), so a read's arrays are free again once its tensor exists. Fresh arrays for every layer
 * (a Llama-1B layer: 120 MB of BF16 and 240 MB of float32) kept V8's collector and the kernel's
 * unmapping busy on the core another evaluation thread computes on.
 */
export class ReadBuffers {
  private raw = Buffer.allocUnsafeSlow(0);
  private values = new Float32Array(0);

  /** `length` bytes at offset 0 of a buffer of their own (so aligned for any view); not zero-filled. */
  bytes(length: number): Buffer {
    if (this.raw.length < length) this.raw = Buffer.allocUnsafeSlow(length);
    return this.raw.subarray(0, length);
  }

  /** `length` float32 values; not zeroed. */
  floats(length: number): Float32Array {
    if (this.values.length < length) this.values = new Float32Array(length);
    return this.values.subarray(0, length);
  }
}
