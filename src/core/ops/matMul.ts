import { kernelFits, kernelName, productsTakeAnyShape, TRANSPOSED_B_PRODUCT, transposedBProduct } from '../backend/kernels';
import * as tf from '../backend/tf';

/**
 * a·b, or aᵀ·b with `transposeA`, over the last two axes; leading axes are a batch. On wasm our
 * register-tiled SIMD kernel (kernels.wat) runs it: about twice xnnpack's dense speed, and 10×
 * TF.js's batched and transposed paths. It computes whole 4 × 8 tiles, so other shapes are padded
 * with zeros (m to a multiple of 4, n of 8) and the product sliced back, which still beats xnnpack
 * (the LM head's 91-character vocabulary). On onnxruntime's kernels (onnxProducts.ts) every shape
 * runs as it is. Elsewhere tf.matMul, with an explicit transpose.
 */
export function matMul<T extends tf.Tensor>(a: T, b: T, transposeA = false): T {
  const mAxis = a.rank - (transposeA ? 1 : 2);
  const nAxis = b.rank - 1;
  const [m, n] = [a.shape[mAxis], b.shape[nAxis]];
  // The kernel trusts its shapes: broadcasting batches and mismatched k go to tf.matMul (which reports the latter).
  if (!kernelFits('matMul', { a, b }, { transposeA })) return tf.matMul(transposeA ? swapLastAxes(a) : a, b) as T;
  const kernel = (x: T, y: T) => tf.engine().runKernel(kernelName('matMul'), { a: x, b: y }, { transposeA }) as T;
  if (productsTakeAnyShape()) return kernel(a, b);
  // Rows of b a multiple of 4 KiB apart alias in the cache (n = 1024, 3072: half the speed, measured); 8 more columns break the pattern.
  const aliased = n % 1024 === 0;
  if (m % 4 === 0 && n % 8 === 0 && !aliased) return kernel(a, b);
  return tf.tidy(() => {
    const widened = aliased ? (tf.pad(b, b.shape.map((_, i) => [0, i === nAxis ? 8 : 0] as [number, number])) as T) : padAxis(b, nAxis, 8);
    const product = kernel(padAxis(a, mAxis, 4), widened);
    const size = [...product.shape.slice(0, -2), m, n];
    return product.slice(size.map(() => 0), size) as T;
  });
}

/** x with zeros appended along `axis` up to a multiple of `multiple`; x itself when it is one. */
function padAxis<T extends tf.Tensor>(x: T, axis: number, multiple: number): T {
  const extra = (multiple - (x.shape[axis] % multiple)) % multiple;
  return extra === 0 ? x : (tf.pad(x, x.shape.map((_, i) => [0, i === axis ? extra : 0] as [number, number])) as T);
}

/** The gradients of a·b, each computed when asked for: da = dy·bᵀ (b is the smaller operand in this model, transposed explicitly), db = aᵀ·dy. */
function productGradients<T extends tf.Tensor>(dy: T, a: T, b: T) {
  return { a: () => matMul(dy, swapLastAxes(b)), b: () => matMul(a, dy, true) };
}

/** The registered gradient of a·b: lazily, and a 2D b (a weight) read in place for da = dy·bᵀ instead of transposed into a copy. */
function kernelProductGradients(dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) {
  const gradients = productGradients(dy, a, b);
  return b.rank === 2 && dy.rank === 2 ? { ...gradients, a: () => matMulTransposedB(dy as tf.Tensor2D, b as tf.Tensor2D) } : gradients;
}

/** The gradients of a·b, both: [da, db]. */
export function matMulGradients<T extends tf.Tensor>(dy: T, a: T, b: T): [T, T] {
  const gradients = productGradients(dy, a, b);
  return [gradients.a(), gradients.b()];
}

/**
 * a·b as one taped op whose gradient runs on the kernel too (dense layers without bias, attention's
 * products). tf.tidy frees the transposes now instead of at the end of the whole gradient computation.
 */
export const tapedMatMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: matMul(a, b),
    gradFunc: (dy: tf.Tensor, [savedA, savedB]: tf.Tensor[]) => tf.tidy(() => matMulGradients(dy, savedA, savedB)),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as <T extends tf.Tensor>(a: T, b: T) => T;

// The kernels' own gradients, so that any product (a family's layers, not only training's taped
// ones) differentiates: C = a·b gives da = dy·bᵀ, db = aᵀ·dy; C = aᵀ·b gives da = b·dyᵀ, db = a·dy.
tf.registerGradient({
  kernelName: kernelName('matMul'),
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], [a, b]: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const grad = dy as tf.Tensor;
    return attrs.transposeA ? { a: () => matMul(b, swapLastAxes(grad)), b: () => matMul(a, grad) } : kernelProductGradients(grad, a, b);
  },
});
// x·wᵀ over w's first `rows` rows: dx = dy·w[:rows], dw = dyᵀ·x with zero rows for the padding.
tf.registerGradient({
  kernelName: TRANSPOSED_B_PRODUCT,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], [x, w]: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const grad = dy as tf.Tensor2D;
    const rows = attrs.rows as number;
    const kept = () => (rows === w.shape[0] ? w : w.slice([0, 0], [rows, w.shape[1]!])) as tf.Tensor2D;
    return { a: () => matMul(grad, kept()), b: () => tf.pad(matMul(grad, x as tf.Tensor2D, true), [[0, w.shape[0]! - rows], [0, 0]]) };
  },
});

/** The transpose of the last two axes. */
export function swapLastAxes<T extends tf.Tensor>(x: T): T {
  const axes = x.shape.map((_, i) => i);
  [axes[x.rank - 2], axes[x.rank - 1]] = [axes[x.rank - 1], axes[x.rank - 2]];
  return tf.transpose(x, axes);
}

/**
 * x·wᵀ for a large w [rows (padded), k] such as an LM head tied to its embedding, computed as
 * (w·xᵀ)ᵀ so that the kernel reads w in place: TF.js's transposeB path runs ~25× slower on wasm, and
 * an explicit transpose would copy the whole table per call. `rows` is w's true row count; pad
 * w to a multiple of 4 rows once at load, or every call pads a copy. On onnxruntime's kernels,
 * x·wᵀ is one product over w's first `rows` rows.
 */
export function matMulTransposedB(x: tf.Tensor2D, w: tf.Tensor2D, rows = w.shape[0]): tf.Tensor2D {
  const product = transposedBProduct(x, w, rows);
  if (product) return product;
  return tf.tidy(() => {
    const product = matMul(w, x.transpose() as tf.Tensor2D);
    return (rows === product.shape[0] ? product : product.slice([0, 0], [rows, x.shape[0]])).transpose() as tf.Tensor2D;
  });
}
