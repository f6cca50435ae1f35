/**
 * The `model_type`s each native family reads (families/<family>.ts takes its list from here): a
 * table without the models, so the extension host can say what DepthLab computes without loading
 * TensorFlow.js.
 */
export const NATIVE_MODEL_TYPES = {
  gpt2: ['gpt2'],
  llama: ['llama', 'mistral', 'qwen2', 'qwen3', 'olmo2', 'phi3'],
  gemma: ['gemma2', 'gemma3_text'],
  gptNeox: ['gpt_neox'],
  opt: ['opt'],
  bert: ['bert', 'roberta', 'distilbert'],
} as const;

/** The native family of a model_type, or undefined (the torch backend computes it). */
export const nativeFamilyName = (modelType: string) =>
  (Object.keys(NATIVE_MODEL_TYPES) as Array<keyof typeof NATIVE_MODEL_TYPES>).find((family) => (NATIVE_MODEL_TYPES[family] as readonly string[]).includes(modelType));
