import * as tf from '../backend/tf';
import type { DepthLabConfig } from '../config/schema';
import { CharTokenizer } from '../data/charTokenizer';
import { UserError } from '../errors';
import { parameterSpecs, type ModelShape } from '../model/parameters';
import { Transformer } from '../model/transformer';
import { metadataJson, type NamedTensor, readSafetensors, type SafetensorsFile, writeSafetensors } from './safetensors';

export const CHECKPOINT_FORMAT = 'depthlab/1';

export interface CheckpointMeta {
  config: DepthLabConfig;
  vocab: string[];
  labels: string[];
  step: number;
}

export function modelShape(meta: Pick<CheckpointMeta, 'config' | 'vocab' | 'labels'>): ModelShape {
  return { task: meta.config.task, vocabSize: meta.vocab.length, numClasses: meta.labels.length, model: meta.config.model };
}

/** Weights named per layer (`layers.3.attn.qkv.weight`), linear weights in nn.Linear's [out, in] layout; config and vocabulary in the header. */
export function checkpointContent(model: Transformer, meta: CheckpointMeta): SafetensorsFile {
  const tensors = new Map<string, NamedTensor>();
  for (const spec of model.specs) {
    const value = model.param(spec.name);
    const stored = spec.linear ? tf.tidy(() => tf.transpose(value)) : value;
    tensors.set(spec.name, { shape: stored.shape, data: stored.dataSync() as Float32Array });
    if (stored !== value) stored.dispose();
  }
  return { tensors, metadata: encodeMeta(meta) };
}

export function saveModelCheckpoint(file: string, model: Transformer, meta: CheckpointMeta): void {
  writeSafetensors(file, checkpointContent(model, meta));
}

export function encodeMeta(meta: CheckpointMeta): Record<string, string> {
  return {
    format: CHECKPOINT_FORMAT,
    config: JSON.stringify(meta.config),
    vocab: JSON.stringify(meta.vocab),
    labels: JSON.stringify(meta.labels),
    step: String(meta.step),
  };
}

export function decodeMeta(file: string, metadata: Record<string, string>): CheckpointMeta {
  if (metadata.format !== CHECKPOINT_FORMAT) throw new UserError(`${file} is not a DepthLab checkpoint (format ${metadata.format ?? 'missing'}; allowed: ${CHECKPOINT_FORMAT})`);
  return {
    config: metadataJson(file, metadata, 'config'),
    vocab: metadataJson(file, metadata, 'vocab'),
    labels: metadataJson(file, metadata, 'labels'),
    step: Number(metadata.step),
  };
}

export interface LoadedModel {
  model: Transformer;
  meta: CheckpointMeta;
  tokenizer: CharTokenizer;
}

export function loadModelCheckpoint(file: string): LoadedModel {
  const { tensors, metadata } = readSafetensors(file);
  const meta = decodeMeta(file, metadata);
  // Checkpoints from before tiedHead and headBias existed have a separate head with a bias, and no say in their config.
  if (meta.config.task === 'language-model' && meta.config.model.headBias === undefined && tensors.has('head.bias')) {
    meta.config = { ...meta.config, model: { ...meta.config.model, headBias: true } };
  }
  const shape = modelShape(meta);
  const values = new Map<string, tf.Tensor>();
  for (const spec of parameterSpecs(shape)) {
    const stored = tensors.get(spec.name);
    if (!stored) throw new UserError(`${file} has no tensor ${spec.name}`);
    const tensor = tf.tensor(stored.data, stored.shape);
    values.set(spec.name, spec.linear ? tf.tidy(() => tf.transpose(tensor)) : tensor);
    if (spec.linear) tensor.dispose();
  }
  return { model: new Transformer(shape, values), meta, tokenizer: new CharTokenizer(meta.vocab) };
}
