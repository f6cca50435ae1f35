import * as tf from '../backend/tf';

/**
 * One-hot rows as float32. The wasm OneHot kernel ignores a float32 dtype and writes the integer
 * bit patterns (1 reads back as 1.4e-45), so build int32 and cast.
 */
export function oneHotFloat(indices: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.oneHot(indices, depth).cast('float32') as tf.Tensor2D;
}
