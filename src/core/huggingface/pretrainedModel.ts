import type * as tf from '../backend/tf';
import type { LayeredModel } from '../model/layeredModel';
import type { PretrainedConfig } from './pretrainedConfig';
import type { PretrainedWeights } from './pretrainedWeights';
import type { RawTensor } from '../checkpoint/safetensors';

/** A Hugging Face model opened for analysis: a LayeredModel plus what an export needs to rewrite it. */
export interface PretrainedModel extends LayeredModel {
  readonly config: PretrainedConfig;
  /** What DepthLab knows of its architecture: a family it computes natively, or what transformers told the torch backend. */
  readonly family: Family;
  readonly weights: PretrainedWeights;
  /** Next-token loss (decoders) or masked-token loss (encoders). */
  readonly objective: 'causal-lm' | 'masked-lm';
  /** The longest window this model computes exactly as transformers does (positions, and sliding-window attention). */
  readonly maxPositions: number;
  /** Canonical name of layer i's tensors up to the index, e.g. `transformer.h.`. */
  readonly layerPrefix: string;
  /** Final norm and LM head on the stream leaving the last layer: [rows, vocab]. */
  logits(x: tf.Tensor2D): tf.Tensor2D;
  /** A model of a family DepthLab does not compute: its library saves the kept layers (export/prunedFolder.ts). */
  readonly saveKept?: (staging: string, keep: number[], configChanges: Record<string, unknown>) => void;
}

/** What PEFT's LoraConfig adapts in a family: `target_modules`, and whether its weights are stored [in, out] (GPT-2's Conv1D). */
export interface LoraTargets {
  /** Every linear map of a layer, by the module names the family gives them (PEFT matches a name or a dotted suffix), and nothing outside the layers. */
  modules: string[];
  fanInFanOut: boolean;
}

/**
 * Everything DepthLab knows of one Hugging Face family, declared in the family's own file: the
 * `model_type`s it reads, where its tensors sit, how its config becomes a model, what LoRA adapts
 * in it, and what its pruned export does differently. families/families.ts lists the native ones; every
 * field is required, so a family that leaves one out does not compile.
 */
export interface Family {
  /** DepthLab's name for it, as analyses record it. */
  readonly name: string;
  /** The config.json `model_type`s it reads. */
  readonly modelTypes: readonly string[];
  /** The prefix a checkpoint of the bare base model leaves off every tensor name (`transformer.`). */
  basePrefix(config: PretrainedConfig): string;
  /** The model: its config read, its tensors loaded through `weights`. */
  open(config: PretrainedConfig, weights: PretrainedWeights): PretrainedModel;
  lora(config: PretrainedConfig): LoraTargets;
  /** A kept layer's tensor as the pruned folder stores it, moved from index `old` to `kept`; most families store it as it is. */
  exportTensor(config: PretrainedConfig, tensor: RawTensor, old: number, kept: number): RawTensor;
  /** Paragraphs the pruned folder's README adds for this family: what `exportTensor` changed, and why. */
  cardNotes(config: PretrainedConfig): string[];
}
