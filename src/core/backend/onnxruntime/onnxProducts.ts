import { MAT_MUL } from '../wasm/kernels/matMul';
import { sizeOf } from '../wasm/kernels/kernelEnv';
import * as tf from '../tf';
import { replaceWasmKernel as replaceKernel, type HeapBackend } from '../wasm/wasmHeap';
import type { OnnxRuntime, OrtSession, OrtTensor } from './onnxruntimeAddon';
import { productGraph, type ProductGraph } from './productGraphs';

/** x·wᵀ against the first `rows` rows of w [≥ rows, k]: the LM head on a vocabulary table as stored, padding rows left out. */
export const TRANSPOSED_B_PRODUCT = 'DepthLabMatMulTransposedB';

/**
 * Whether this process's wasm backend runs its matrix products on onnxruntime: then they take any
 * shape (no padding to our kernel's tiles) and x·wᵀ has a kernel of its own.
 */
export const productsOnOnnxruntime = () => tf.getBackend() === 'wasm' && Boolean(tf.getKernel(TRANSPOSED_B_PRODUCT, 'wasm'));

/**
 * A batch of products this small each, whose shapes fill our wasm kernel's 4 × 8 tiles (it writes
 * whole tiles, and callers on onnxruntime pad nothing), stays on that kernel: onnxruntime's per-matrix overhead
 * made attention's [32·4 heads, 64, 32] products 1.3–2.2 ms against our 0.7 ms (2026-12-07, the reference config),
 * where its 2-D products of the same config are 1.5–2× ours. A window of 128 and heads of 64 are past it.
 */
const SMALL_PRODUCT = 2 ** 18;

/** One session per graph, kept for the process: a product's shapes are bound when it runs. */
const sessions = new Map<ProductGraph, OrtSession>();

/** Takes the products off onnxruntime, for a process that switches to plain wasm: registerWasmKernels puts kernels.wat's matMul back. */
export function removeOnnxProducts(): void {
  if (!tf.getKernel(TRANSPOSED_B_PRODUCT, 'wasm')) return;
  tf.unregisterKernel(TRANSPOSED_B_PRODUCT, 'wasm');
  tf.unregisterKernel(MAT_MUL.name, 'wasm');
}

/**
 * Puts the wasm backend's matrix products on onnxruntime's CPU kernels (MLAS: 4–5× our wasm SIMD
 * kernel on the same core, measured in docs/throughput.md), in place of kernels.wat's matMul: the
 * same op, inputs and attributes, so every caller (forward, gradients, attention) is unchanged. Each
 * product reads its operands and writes its output on TF.js's heap, with no copy. One intra-op
 * thread: DepthLab's own threads (evaluation, training shards) already take the other cores.
 */
export function registerOnnxProducts(runtime: OnnxRuntime): void {
  const session = (graph: ProductGraph) => {
    let found = sessions.get(graph);
    if (!found) {
      found = new runtime.InferenceSession();
      const bytes = productGraph(graph);
      found.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
      sessions.set(graph, found);
    }
    return found;
  };
  const run = (backend: HeapBackend, graph: ProductGraph, operands: Array<[tf.TensorInfo, number[], number?]>, out: tf.TensorInfo, outDims: number[]) => {
    // Views taken after makeOutput, which may grow (and so move) the heap.
    const tensor = (info: tf.TensorInfo, dims: number[], length = sizeOf(dims)): OrtTensor => ({ location: 'cpu', type: 'float32', dims, data: (backend.typedArrayFromHeap(info) as Float32Array).subarray(0, length) });
    const [[a, aDims], [b, bDims]] = operands;
    session(graph).run({ a: tensor(a, aDims), b: tensor(b, bDims) }, { y: tensor(out, outDims) }, {});
    return out;
  };

  // kernels.wat's product, which activating wasm has just registered.
  const own = tf.getKernel(MAT_MUL.name, 'wasm')!.kernelFunc;
  replaceKernel(MAT_MUL.name, ({ inputs, attrs, backend }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const transposeA = Boolean(attrs!.transposeA);
    const rank = a.shape.length;
    const [m, k] = transposeA ? [a.shape[rank - 1], a.shape[rank - 2]] : [a.shape[rank - 2], a.shape[rank - 1]];
    const n = b.shape[rank - 1];
    const leading = a.shape.slice(0, -2);
    const batch = sizeOf(leading);
    if (batch > 1 && m * k * n <= SMALL_PRODUCT && m % 4 === 0 && n % 8 === 0) return own({ inputs, attrs, backend });
    const out = (backend as HeapBackend).makeOutput([...leading, m, n], 'float32');
    if (sizeOf([batch, m, n]) === 0) return out;
    const aDims = transposeA ? [batch, k, m] : [batch, m, k];
    return run(backend as HeapBackend, transposeA ? 'productTransposedA' : 'product', [[a, aDims], [b, [batch, k, n]]], out, [batch, m, n]);
  });
  replaceKernel(TRANSPOSED_B_PRODUCT, ({ inputs, attrs, backend }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const [m, k] = a.shape;
    const rows = attrs!.rows as number;
    const out = (backend as HeapBackend).makeOutput([m, rows], 'float32');
    if (m * rows === 0) return out;
    return run(backend as HeapBackend, 'productTransposedB', [[a, [m, k]], [b, [rows, k]]], out, [m, rows]);
  });
  if (!tf.getGradient(TRANSPOSED_B_PRODUCT)) tf.registerGradient({ kernelName: TRANSPOSED_B_PRODUCT, inputsToSave: ['a', 'b'], gradFunc: transposedBGradients });
}

/** y = a·b[:rows]ᵀ: da = dy·b[:rows], db = dyᵀ·a on b's first rows and zeros on its padding. */
const transposedBGradients: tf.GradFunc = (dy, saved, attrs) => {
  const [a, b] = saved as tf.Tensor2D[];
  const rows = attrs.rows as number;
  return {
    a: () => tf.matMul(dy as tf.Tensor2D, b.slice([0, 0], [rows, -1])),
    b: () => tf.matMul(dy as tf.Tensor2D, a, true).pad([[0, b.shape[0] - rows], [0, 0]]),
  };
};

