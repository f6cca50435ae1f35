import type { BackendName } from '../config/choices';

export type ResolvedBackend = Exclude<BackendName, 'auto'>;

/**
 * One compute backend as the engine sees it, declared once in the backend's own folder: where it
 * computes, where its tensors live, how a job uses more cores on it, whose kernels run its matrix
 * products, and how it becomes (and stops being) TF.js's backend. Everything outside backend/ asks
 * these questions through backends.ts instead of naming a backend.
 */
export interface BackendDescription {
  readonly name: ResolvedBackend;
  /** Where it computes: a GPU holds a whole model in its own memory; a CPU backend may stream one layer at a time. */
  readonly device: 'cpu' | 'gpu';
  /** Where its tensors live: TF.js's wasm heap (4 GiB at most), the process's own memory, or the GPU's. */
  readonly memory: 'wasm-heap' | 'process' | 'gpu';
  /**
   * How a job uses more cores: `depthlab-threads` when one engine instance runs on one core and
   * DepthLab's evaluation and training threads stand in for the rest; `engine` when the engine (a
   * GPU, libtensorflow) runs the job from one thread.
   */
  readonly threading: 'depthlab-threads' | 'engine';
  /** Whose kernels run its matrix products, in words for a job's first line and the docs. */
  readonly products: string;
  /**
   * Whose code computes a model: DepthLab's own (TF.js, every family re-implemented in
   * huggingface/families/), or transformers' modeling code in the user's Python (any architecture
   * transformers loads; Hugging Face folders only).
   */
  readonly models: 'depthlab' | 'transformers';
  /** Make it TF.js's backend (`auto`: a hardware GPU only); returns the device it computes on, in words. */
  activate(auto: boolean): Promise<string>;
  /** Undo what `activate` registered beyond TF.js's own backend switch, before another backend takes over. */
  deactivate(): void;
}
