import * as os from 'node:os';
import { tensorsOnWasmHeap } from '../backend/backends';
import * as tf from '../backend/tf';
import { UserError } from '../errors';
import { parameterSpecs, type ModelShape } from './parameters';

/** The wasm heap's ceiling (emscripten's getHeapMax in tfjs-backend-wasm: 4 GiB − 64 KiB). */
export const WASM_HEAP_BYTES = 4294901760;

/**
 * Memory a training step needs, from the shapes alone: per parameter its weight, gradient and two
 * AdamW moments (16 bytes), plus what the backward pass keeps of each layer's activations (the
 * stream and its norms, q/k/v, the feed-forward hidden layer, attention scores and probabilities)
 * and the logits with their gradient.
 */
export function trainingBytes(shape: ModelShape, batchSize: number): { parameters: number; bytes: number } {
  const parameters = parameterSpecs(shape).reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1), 0);
  const { layers, dModel: d, ffn, heads, seqLen: T } = shape.model;
  const tokens = batchSize * T;
  const perLayer = tokens * (8 * d + 2 * ffn) + 2 * batchSize * heads * T * T;
  const outputs = shape.task === 'language-model' ? shape.vocabSize : Math.max(shape.numClasses, 1);
  return { parameters, bytes: 16 * parameters + 4 * (layers * perLayer + 3 * tokens * outputs) };
}

/** Refuse, before allocating anything, a model the active backend cannot hold, saying what it needs and what to do. */
export function refuseOversizedModel(shape: ModelShape, batchSize: number): void {
  const { parameters, bytes } = trainingBytes(shape, batchSize);
  const wasm = tensorsOnWasmHeap();
  const holds = wasm ? WASM_HEAP_BYTES : os.totalmem() * 0.8;
  if (bytes <= holds) return;
  const gb = (n: number) => (n / 2 ** 30).toFixed(1);
  const remedy = wasm ? 'make the model smaller (model.layers, dModel, ffn, seqLen) or train.batchSize, or install @tensorflow/tfjs-node for native memory' : 'make the model or train.batchSize smaller';
  throw new UserError(`a model of ${(parameters / 1e6).toFixed(1)}M parameters at batch ${batchSize} needs about ${gb(bytes)} GB to train; the ${tf.getBackend()} backend holds about ${gb(holds)} GB: ${remedy}`);
}
