import * as tf from '../backend/tf';
import type { Batch, BatchResult, LayeredModel } from './layeredModel';

/** Sees every layer the walk runs: its input and output streams, and the layers run before it on that branch. */
export type LayerVisitor = (layer: number, before: readonly number[], input: tf.Tensor2D, output: tf.Tensor2D) => void;

export interface TimedResult extends BatchResult {
  /** Milliseconds of this sub-network's own forward pass: the embedding, each layer on its branch, its readout. */
  ms: number;
}

/**
 * One batch through several sub-networks (ascending layer lists) at evaluation time, each shared
 * prefix computed once: the sub-networks form a prefix tree, walked depth first, so only the
 * streams of the current branch stay alive. Returns each sub-network's readout and latency, in order.
 * The depth sweep (every-other over 6 layers: 15 layer evaluations instead of 21) and the
 * single-layer-removal importance pass (N(N+1)/2 instead of N²) are such walks. Call inside tf.tidy.
 */
export function forwardSharingPrefixes(model: LayeredModel, batch: Batch, subnetworks: ReadonlyArray<readonly number[]>, visit?: LayerVisitor): TimedResult[] {
  const options = { training: false };
  const [stream, embedMs] = timed(() => model.embed(batch, options), (embedded) => embedded.x);
  const results = new Array<TimedResult>(subnetworks.length);
  const walk = (x: tf.Tensor2D, before: number[], members: number[], ms: number) => {
    const branches = new Map<number, number[]>();
    for (const member of members) {
      const layers = subnetworks[member];
      if (layers.length > before.length) branches.set(layers[before.length], [...(branches.get(layers[before.length]) ?? []), member]);
      else {
        const [result, readoutMs] = timed(() => tf.tidy(() => ({ ...model.readout(x, batch) })), (readout) => readout.loss);
        results[member] = { ...result, ms: ms + readoutMs };
      }
    }
    for (const [layer, branch] of branches) {
      const [output, layerMs] = timed(() => tf.tidy(() => model.block({ ...stream, x }, layer, options)), (y) => y);
      visit?.(layer, before, x, output);
      walk(output, [...before, layer], branch, ms + layerMs);
      output.dispose();
    }
  };
  walk(stream.x, [], subnetworks.map((_, i) => i), embedMs);
  return results;
}

/** Runs `run` and reads one element of what it computed: backends that queue work finish it before the clock stops. */
function timed<T>(run: () => T, computed: (value: T) => tf.Tensor): [T, number] {
  const start = performance.now();
  const value = run();
  const element = tf.tidy(() => computed(value).reshape([-1]).slice(0, 1));
  element.dataSync();
  element.dispose();
  return [value, performance.now() - start];
}
