import * as tf from '../backend/tf';
import type { BatchResult, LayeredModel } from './layeredModel';
import type { Batch } from '../data/batch';
import { stepLayer, stepSkip, wholeLayer } from './layerParts';

/** Sees every layer the walk runs: its input and output streams, and the layers run before it on that branch. */
export type LayerVisitor = (layer: number, before: readonly number[], input: tf.Tensor2D, output: tf.Tensor2D) => void;

/** A readout with the milliseconds of this sub-network's own forward pass: the embedding, each layer on its branch, its readout. */
export type Timed<R> = R & { ms: number };

/** Reads out several streams at once, each stream's result in order. */
export type ReadMany<R> = (xs: tf.Tensor2D[]) => R[];

/** The model's own readout, several streams in one pass where it has that (a vocabulary table left in the file). */
export function modelReadout(model: LayeredModel, batch: Batch): ReadMany<BatchResult> {
  return (xs) => (model.readoutMany ? model.readoutMany(xs, batch) : xs.map((x) => model.readout(x, batch)));
}

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
  read?: ReadMany<R>,
): Timed<R>[] {
  return forwardSharingSteps(model, batch, subnetworks.map((layers) => layers.map(wholeLayer)), visit, read);
}

/**
 * `forwardSharingPrefixes` over lists of steps (layerParts.ts): a layer may run without its
 * attention or its MLP, a branch of the tree of its own. The visitor sees the layers run before.
 *
 * Where the model reads out `readoutRows` stream rows in one pass (its vocabulary table left in
 * the file), finished streams wait and read out together, up to that many rows a pass: one read
 * of the table for the group instead of one per sub-network. Each then counts an equal share of
 * the pass in its latency, as it would with the table resident. Otherwise each reads out at once.
 */
export function forwardSharingSteps<R extends { loss: tf.Tensor } = BatchResult>(
  model: LayeredModel,
  batch: Batch,
  subnetworks: ReadonlyArray<readonly number[]>,
  visit?: LayerVisitor,
  read: ReadMany<R> = modelReadout(model, batch) as unknown as ReadMany<R>,
): Timed<R>[] {
  const options = { training: false };
  const [stream, embedMs] = timed(() => model.embed(batch, options), (embedded) => embedded.x);
  const results = new Array<Timed<R>>(subnetworks.length);
  /** A prefix that some sub-networks still run past: its stream, the steps it ran, those members, their time so far. */
  type Prefix = { x: tf.Tensor2D; before: number[]; members: number[]; ms: number };
  /** Finished sub-networks waiting for their group's readout, and the streams to free after it. */
  const waiting: { member: number; x: tf.Tensor2D; ms: number }[] = [];
  const freeAfterReadout: tf.Tensor2D[] = [];
  const passRows = model.readoutRows ?? 1;
  const readWaiting = () => {
    if (!waiting.length) return;
    const [readouts, readoutMs] = timed(() => tf.tidy(() => read(waiting.map(({ x }) => x)).map((result) => ({ ...result }))), (all) => all[0].loss);
    waiting.forEach(({ member, ms }, i) => (results[member] = { ...readouts[i], ms: ms + readoutMs / waiting.length }));
    waiting.length = 0;
    tf.dispose(freeAfterReadout.splice(0));
  };
  const free = (prefix: Prefix) => {
    if (!prefix.before.length) return;
    if (waiting.some(({ x }) => x === prefix.x)) freeAfterReadout.push(prefix.x);
    else prefix.x.dispose();
  };
  // Members that end at this prefix read out; it stays live for the others.
  let live: Prefix[] = [];
  const arrive = (prefix: Prefix) => {
    prefix.members = prefix.members.filter((member) => {
      if (subnetworks[member].length > prefix.before.length) return true;
      // Streams of a batch have one row count: the group is full when one more would not fit.
      const full = () => (waiting.length + 1) * prefix.x.shape[0] > passRows;
      if (full()) readWaiting();
      waiting.push({ member, x: prefix.x, ms: prefix.ms });
      if (full()) readWaiting();
      return false;
    });
    if (prefix.members.length) live.push(prefix);
    else free(prefix);
  };
  arrive({ x: stream.x, before: [], members: subnetworks.map((_, i) => i), ms: embedMs });
  for (let layer = 0; layer < model.layers && live.length; layer++) {
    const arrived: Prefix[] = [];
    const running: Prefix[] = [];
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
      if (prefix.members.length) running.push(prefix);
      else free(prefix);
    }
    live = running;
    arrived.forEach(arrive);
  }
  readWaiting();
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
