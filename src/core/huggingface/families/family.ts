import type { RawTensor } from '../../checkpoint/safetensors';
import type { PretrainedConfig } from '../pretrainedConfig';
import type { PretrainedModel } from '../pretrainedModel';
import type { PretrainedWeights } from '../pretrainedWeights';

/** What PEFT's LoraConfig adapts in a family: `target_modules`, and whether its weights are stored [in, out] (GPT-2's Conv1D). */
export interface LoraTargets {
  /** Every linear map of a layer, by the module names the family gives them (PEFT matches a name or a dotted suffix), and nothing outside the layers. */
  modules: string[];
  fanInFanOut: boolean;
}

/**
 * Everything DepthLab knows of one Hugging Face family, declared in the family's own file: the
 * `model_type`s it reads, where its tensors sit, how its config becomes a model, what LoRA adapts
 * in it, and what its pruned export does differently. families.ts lists them; every field is
 * required, so a family that leaves one out does not compile.
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

/** `exportTensor` for the families whose layers do not depend on their index. */
export const storedAsIs = (_config: PretrainedConfig, tensor: RawTensor): RawTensor => tensor;

/** `cardNotes` for the families with nothing to add. */
export const noCardNotes = (): string[] => [];

/** The last segment of each module name: what PEFT matches against every module of the model. */
export const moduleNames = (names: readonly string[]): string[] => [...new Set(names.map((name) => name.split('.').at(-1)!))];
