import type { Task } from '../config/choices';

/** Which stack fairseq prunes: the decoder of a language model, the encoder of a classifier or a masked LM. */
export type LayerStack = 'decoder' | 'encoder';
export const stackOf = (task: Task): LayerStack => (task === 'language-model' ? 'decoder' : 'encoder');

/** fairseq flags for the same sub-network, on the given stack (a task's, by default). */
export function fairseqFlags(task: Task | LayerStack, keep: readonly number[]): { flag: string; modelOverrides: string } {
  const side = task === 'decoder' || task === 'encoder' ? task : stackOf(task);
  const list = keep.join(',');
  return {
    flag: `--${side}-layers-to-keep ${list}`,
    modelOverrides: `--model-overrides "{'${side}_layers_to_keep':'${list}'}"`,
  };
}

/** Hugging Face config fields for the pruned model (after renumbering, only the depth and the LayerDrop rate remain). */
export function huggingFaceConfig(task: Task, depth: number, layerdrop: number): Record<string, number> {
  return task === 'language-model'
    ? { num_hidden_layers: depth, layerdrop }
    : { num_hidden_layers: depth, encoder_layers: depth, encoder_layerdrop: layerdrop };
}
