import * as tf from '../backend/tf';
import type { BatchResult, LayeredModel } from './layeredModel';
import type { Batch } from '../data/batch';
import { stepLayer, stepSkip, wholeLayer } from './layerParts';

/** Sees every layer the walk runs: its input and output streams, and the layers run before it on that branch. */
export type LayerVisitor = (layer: number, before: readonly number[], input: tf.Tensor2D, output: tf.Tensor2D) => void;

/** A readout with the milliseconds of this sub-network's own forward pass: the embedding, each layer on its branch, its readout. */
export type Timed<R> = R & { ms: number };

/**
 * One batch through several sub-networks (ascending layer lists) at evaluation time, each shared
 * prefix computed once: the sub-networks form a prefix tree, walked layer by layer (every branch
 * that runs layer l runs it before any runs l + 1), so each layer is used in one stretch per batch
 * and a model streamed from its file reads it once (`pretrainedWeights.ts`). A prefix's stream is
 * freed once every branch leaving it has run. Returns each sub-network's readout and latency, in
 * order. The depth sweep (every-other over 6 layers: 15 layer evaluations instead of 21) and the
 * single-layer-removal importance pass (N(N+1)/2 instead of N²) are such walks. `read` replaces
 * the model's readout (a task's per-row scores). Call inside tf.tidy.
 */
export function forwardSharingPrefixes<R extends { loss: tf.Tensor } = BatchResult>(
  model: LayeredModel,
  batch: Batch,
  subnetworks: ReadonlyArray<readonly number[]>,
  visit?: LayerVisitor,
  read?: (x: tf.Tensor2D) => R,
): Timed<R>[] {
  return forwardSharingSteps(model, batch, subnetworks.map((layers) => layers.map(wholeLayer)), visit, read);
}

/**
 * `forwardSharingPrefixes` over lists of steps (layerParts.ts): a layer may run without its
 * attention or its MLP, a branch of the tree of its own. The visitor sees the layers run before.
 */
export function forwardSharingSteps<R extends { loss: tf.Tensor } = BatchResult>(
  model: LayeredModel,
  batch: Batch,
  subnetworks: ReadonlyArray<readonly number[]>,
  visit?: LayerVisitor,
  read: (x: tf.Tensor2D) => R = (x) => model.readout(x, batch) as unknown as R,
): Timed<R>[] {
  const options = { training: false };
  const [stream, embedMs] = timed(() => model.embed(batch, options), (embedded) => embedded.x);
  const results = new Array<Timed<R>>(subnetworks.length);
  /** A prefix that some sub-networks still run past: its stream, the steps it ran, those members, their time so far. */
  type Prefix = { x: tf.Tensor2D; before: number[]; members: number[]; ms: number };
  let live: Prefix[] = [];
  // Members that end at this prefix read out; it stays live for the others.
  const arrive = (prefix: Prefix) => {
    prefix.members = prefix.members.filter((member) => {
      if (subnetworks[member].length > prefix.before.length) return true;
      const [result, readoutMs] = timed(() => tf.tidy(() => ({ ...read(prefix.x) })), (readout) => readout.loss);
      results[member] = { ...result, ms: prefix.ms + readoutMs };
      return false;
    });
    if (prefix.members.length) live.push(prefix);
    else if (prefix.before.length) prefix.x.dispose();
  };
  arrive({ x: stream.x, before: [], members: subnetworks.map((_, i) => i), ms: embedMs });
  for (let layer = 0; layer < model.layers && live.length; layer++) {
    const arrived: Prefix[] = [];
    const waiting: Prefix[] = [];
    for (const prefix of live) {
      const next = (member: number) => subnetworks[member][prefix.before.length];
      for (const step of new Set(prefix.members.map(next).filter((s) => s !== undefined && stepLayer(s) === layer))) {
        const branch = prefix.members.filter((member) => next(member) === step);
        const skip = stepSkip(step);
        const [output, layerMs] = timed(() => tf.tidy(() => model.block({ ...stream, x: prefix.x }, layer, { ...options, ...(skip && { skip }) })), (y) => y);
        visit?.(layer, prefix.before.map(stepLayer), prefix.x, output);
        arrived.push({ x: output, before: [...prefix.before, step], members: branch, ms: prefix.ms + layerMs });
        prefix.members = prefix.members.filter((member) => !branch.includes(member));
      }
      if (prefix.members.length) waiting.push(prefix);
      else if (prefix.before.length) prefix.x.dispose();
    }
    live = waiting;
    arrived.forEach(arrive);
  }
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
