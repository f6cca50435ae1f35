import * as tf from '../tf';
import { replaceWasmKernel as replaceKernel, type HeapBackend } from './wasmHeap';

/**
 * TF.js's wasm Slice (and SplitV, which slices) copies its whole input out of the heap into a new
 * array before taking the slice. On GPT-2 small that is 188 MB of arrays a forward pass (the
 * q/k/v split, the positions table, the padded head's product), and V8 answers with full
 * collections whose marking threads take the core another evaluation thread computes on. These
 * replacements copy the slice from heap to heap; the result is the same, element for element.
 */
export function registerSliceInPlace(): void {
  replaceKernel('Slice', ({ inputs, attrs, backend }) => slice(backend as HeapBackend, inputs.x!, attrs!.begin as number[], attrs!.size as number[]));
  replaceKernel('SplitV', ({ inputs, attrs, backend }) => {
    const x = inputs.x!;
    const along = tf.util.parseAxisParam(attrs!.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs!.numOrSizeSplits as number[] | number, along);
    const begin = x.shape.map(() => 0);
    return sizes.map((part) => {
      const size = x.shape.map((extent, i) => (i === along ? part : extent));
      const piece = slice(backend as HeapBackend, x, begin, size);
      begin[along] += part;
      return piece;
    });
  });
}

/** x[begin : begin + size], copied run by run along the last axis from the heap to the heap. */
function slice(backend: HeapBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  const out = backend.makeOutput(extent, x.dtype);
  if (extent.some((n) => n === 0)) return out;
  // Views taken after makeOutput, which may grow (and so move) the heap.
  const from = backend.typedArrayFromHeap(x);
  const to = backend.typedArrayFromHeap(out);
  const strides = tf.util.computeStrides(x.shape);
  const rank = x.shape.length;
  if (tf.slice_util.isSliceContinous(x.shape, start, extent)) {
    const offset = tf.slice_util.computeFlatOffset(start, strides);
    to.set(from.subarray(offset, offset + to.length));
    return out;
  }
  const run = extent[rank - 1];
  const index = new Array<number>(rank - 1).fill(0);
  for (let written = 0; written < to.length; written += run) {
    let offset = start[rank - 1];
    for (let axis = 0; axis < rank - 1; axis++) offset += (start[axis] + index[axis]) * strides[axis];
    to.set(from.subarray(offset, offset + run), written);
    for (let axis = rank - 2; axis >= 0 && ++index[axis] === extent[axis]; axis--) index[axis] = 0;
  }
  return out;
}
