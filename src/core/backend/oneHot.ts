import * as tf from './tf';

/**
 * One-hot rows as float32. The wasm OneHot kernel ignores a float32 dtype and writes the integer
 * bit patterns (1 reads back as 1.4e-45), so build int32 and cast.
 */
export function oneHotFloat(indices: Int32Array, depth: number): tf.Tensor2D {
  return tf.oneHot(tf.tensor1d(indices, 'int32'), depth).cast('float32') as tf.Tensor2D;
}
