import type { Task } from '../config/choices';

/** fairseq flags for the same sub-network: decoder layers for language models, encoder layers for classifiers. */
export function fairseqFlags(task: Task, keep: readonly number[]): { flag: string; modelOverrides: string } {
  const side = task === 'language-model' ? 'decoder' : 'encoder';
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
