import { UserError } from '../../errors';
import type { PretrainedConfig } from '../pretrainedConfig';
import { BERT } from './bert';
import type { Family } from '../pretrainedModel';
import { GEMMA } from './gemma';
import { GPT2 } from './gpt2';
import { GPT_NEOX } from './gptNeox';
import { LLAMA } from './llama';
import { OPT } from './opt';

/** Every family DepthLab computes natively: a new family is one file in this folder and one entry here (docs/architecture.md). */
export const FAMILIES: readonly Family[] = [GPT2, LLAMA, GEMMA, GPT_NEOX, OPT, BERT];

/** The family DepthLab computes a config's model_type with, if it has one. */
export const nativeFamily = (config: PretrainedConfig): Family | undefined => FAMILIES.find((candidate) => candidate.modelTypes.includes(config.modelType));

/** The family that reads a config's model_type; one DepthLab lacks is a user error listing those it opens. */
export function familyOf(config: PretrainedConfig): Family {
  const family = nativeFamily(config);
  if (!family) throw new UserError(`${config.file}: model_type "${config.modelType}" is not supported; DepthLab opens ${FAMILIES.flatMap((f) => f.modelTypes).join(', ')} natively, and --backend torch any architecture the transformers in your Python loads`);
  return family;
}
