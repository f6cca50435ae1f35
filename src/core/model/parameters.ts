import type { Task } from '../config/choices';
import type { ModelConfig } from '../config/schema';

export interface ModelShape {
  task: Task;
  vocabSize: number;
  /** Output classes (classification); 0 for language models. */
  numClasses: number;
  model: ModelConfig;
}

export type Init = 'normal' | 'zeros' | 'ones';

export interface ParameterSpec {
  name: string;
  /** Shape as used in compute. Linear weights are [in, out]. */
  shape: number[];
  init: Init;
  /** Stored in checkpoints transposed to PyTorch's nn.Linear layout [out, in]. */
  linear: boolean;
  /** AdamW weight decay applies (matrices, not biases or norms). */
  decay: boolean;
}

const LAYER_SUFFIXES = (d: number, ffn: number): Array<Omit<ParameterSpec, 'name'> & { suffix: string }> => [
  { suffix: 'ln1.weight', shape: [d], init: 'ones', linear: false, decay: false },
  { suffix: 'ln1.bias', shape: [d], init: 'zeros', linear: false, decay: false },
  { suffix: 'attn.qkv.weight', shape: [d, 3 * d], init: 'normal', linear: true, decay: true },
  { suffix: 'attn.qkv.bias', shape: [3 * d], init: 'zeros', linear: false, decay: false },
  { suffix: 'attn.out.weight', shape: [d, d], init: 'normal', linear: true, decay: true },
  { suffix: 'attn.out.bias', shape: [d], init: 'zeros', linear: false, decay: false },
  { suffix: 'ln2.weight', shape: [d], init: 'ones', linear: false, decay: false },
  { suffix: 'ln2.bias', shape: [d], init: 'zeros', linear: false, decay: false },
  { suffix: 'ffn.fc1.weight', shape: [d, ffn], init: 'normal', linear: true, decay: true },
  { suffix: 'ffn.fc1.bias', shape: [ffn], init: 'zeros', linear: false, decay: false },
  { suffix: 'ffn.fc2.weight', shape: [ffn, d], init: 'normal', linear: true, decay: true },
  { suffix: 'ffn.fc2.bias', shape: [d], init: 'zeros', linear: false, decay: false },
];

export const LAYER_PARAMETER_SUFFIXES = LAYER_SUFFIXES(1, 1).map((s) => s.suffix);

/**
 * With `shareLayersEvery: k`, layers l and l' share weights when floor(l/k) = floor(l'/k);
 * the group's weights are stored under its first layer's name.
 */
export function storageLayer(layer: number, shareLayersEvery: number): number {
  return Math.floor(layer / shareLayersEvery) * shareLayersEvery;
}

export function layerParameterName(layer: number, suffix: string, shareLayersEvery = 1): string {
  return `layers.${storageLayer(layer, shareLayersEvery)}.${suffix}`;
}

/** A language model whose logits are the final stream times the token embedding (GPT-2's tie_word_embeddings). */
export const hasTiedHead = (shape: Pick<ModelShape, 'task' | 'model'>) => shape.task === 'language-model' && shape.model.tiedHead === true;

/** An output bias: classifiers always; language models only when asked (GPT-2 has none) or trained before the choice existed. */
export const hasHeadBias = (shape: Pick<ModelShape, 'task' | 'model'>) => shape.task !== 'language-model' || (!hasTiedHead(shape) && shape.model.headBias === true);

/** Every parameter of the model, named as in the checkpoint. */
export function parameterSpecs(shape: ModelShape): ParameterSpec[] {
  const { layers, dModel: d, ffn, seqLen, shareLayersEvery } = shape.model;
  const outputs = shape.task === 'language-model' ? shape.vocabSize : shape.numClasses;
  const specs: ParameterSpec[] = [
    { name: 'embed.tokens.weight', shape: [shape.vocabSize, d], init: 'normal', linear: false, decay: true },
    { name: 'embed.positions.weight', shape: [seqLen, d], init: 'normal', linear: false, decay: false },
  ];
  for (let layer = 0; layer < layers; layer += shareLayersEvery) {
    for (const { suffix, ...rest } of LAYER_SUFFIXES(d, ffn)) specs.push({ name: `layers.${layer}.${suffix}`, ...rest });
  }
  specs.push(
    { name: 'final_ln.weight', shape: [d], init: 'ones', linear: false, decay: false },
    { name: 'final_ln.bias', shape: [d], init: 'zeros', linear: false, decay: false },
  );
  if (!hasTiedHead(shape)) specs.push({ name: 'head.weight', shape: [d, outputs], init: 'normal', linear: true, decay: true });
  if (hasHeadBias(shape)) specs.push({ name: 'head.bias', shape: [outputs], init: 'zeros', linear: false, decay: false });
  return specs;
}

/** The layer index a parameter belongs to, or undefined for embeddings and the head. */
export function layerOfParameter(name: string): number | undefined {
  const match = /^layers\.(\d+)\./.exec(name);
  return match ? Number(match[1]) : undefined;
}
