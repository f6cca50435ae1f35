import * as tf from '../src/core/backend/tf';
import { valuesInPlace } from '../src/core/backend/valuesInPlace';
import { matMul } from '../src/core/ops/matMul';
import { median, msOf } from './timing';

/**
 * 2D matMul [2048, 128]·[128, 384], TF.js's own (tf.matMul) and the engine's (our kernel on wasm),
 * timed between training steps: this machine's speed drifts by 2× over minutes, so the step and
 * its ceiling are measured side by side.
 */
export function matMulProbe() {
  const [m, k, n] = [2048, 128, 384];
  const a = tf.randomNormal([m, k]) as tf.Tensor2D;
  const b = tf.randomNormal([k, n]) as tf.Tensor2D;
  // Not tf.tidy(() => ….dataSync()): tidy walks a returned typed array element by element. Not
  // dataSync() either: its copy of the product (3 MB, six a round) made V8 collect during the next
  // data-parallel step, on the core the other thread computes on.
  const timer = (product: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor) => () => {
    const c = product(a, b);
    valuesInPlace(c);
    c.dispose();
  };
  const runs = { tfjs: timer(tf.matMul), engine: timer(matMul) };
  const times = { tfjs: [] as number[], engine: [] as number[] };
  runs.tfjs();
  runs.engine();
  return {
    sample: () => {
      for (const name of ['tfjs', 'engine'] as const) times[name].push(...Array.from({ length: 3 }, () => msOf(runs[name])));
    },
    gflops: (name: keyof typeof times) => (2 * m * k * n) / median(times[name]) / 1e6,
    dispose: () => tf.dispose([a, b]),
  };
}

/** A GPU-sized product, [n, n]·[n, n], read back each time (so the GPU has finished): median of five after a warm-up. */
export function largeMatMulGflops(n: number): number {
  const a = tf.randomNormal([n, n]) as tf.Tensor2D;
  const b = tf.randomNormal([n, n]) as tf.Tensor2D;
  const run = () => {
    const c = tf.matMul(a, b);
    tf.sum(c).dataSync();
    c.dispose();
  };
  run();
  const ms = median(Array.from({ length: 5 }, () => msOf(run)));
  tf.dispose([a, b]);
  return +((2 * n ** 3) / ms / 1e6).toFixed(1);
}
