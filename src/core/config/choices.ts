/**
 * The named choices of a config, as plain constants: the schema validates against them, and the
 * CLI's flags, the editor's quick picks and the Depth Explorer page list them without loading zod.
 */
export const TASKS = ['language-model', 'classification'] as const;
export const LAYERDROP_SCHEDULES = ['uniform', 'linear', 'exp', 'learned'] as const;
export const PRUNE_STRATEGIES = ['every-other', 'spread', 'first-k', 'search-on-valid', 'contiguous-block', 'importance'] as const;
export const IMPORTANCE_METRICS = ['loss-increase', 'block-influence', 'weight-l1', 'grad-norm', 'drop-rate', 'learned-rate'] as const;
/** When the early-exit loss trains each exit (LayerSkip's curricula). */
export const EARLY_EXIT_CURRICULA = ['none', 'rotational', 'gradual'] as const;
export const BACKENDS = ['auto', 'torch', 'webgpu', 'tensorflow-gpu', 'tensorflow', 'onnxruntime', 'wasm', 'cpu'] as const;
/** The two blocks of a Transformer layer, each on its own residual branch: what a sub-block measurement removes. */
export const LAYER_PARTS = ['attention', 'mlp'] as const;
/** What `depthlab heal` trains: every weight the kept sub-network uses, or its feed-forward blocks only. */
export const HEAL_PARTS = ['all', 'ffn'] as const;

export type Task = (typeof TASKS)[number];
export type PruneStrategy = (typeof PRUNE_STRATEGIES)[number];
export type ImportanceMetric = (typeof IMPORTANCE_METRICS)[number];
export type BackendName = (typeof BACKENDS)[number];
export type HealPart = (typeof HEAL_PARTS)[number];
export type LayerPart = (typeof LAYER_PARTS)[number];
