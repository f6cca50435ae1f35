import { z } from 'zod';
import { BACKENDS, EARLY_EXIT_CURRICULA, IMPORTANCE_METRICS, LAYERDROP_SCHEDULES, PRUNE_STRATEGIES, TASKS } from './choices';
import { LAYER_PARTS } from './choices';

/**
 * The one source of truth for `*.depthlab.json`: TypeScript types (z.infer), runtime validation
 * (loadConfig) and the JSON Schema that editors use (scripts/writeSchema.ts) all come from here.
 */


const positiveInt = () => z.int().min(1);
const probability = () => z.number().min(0).max(1);

const dataSchema = z
  .strictObject({
    train: z.string().min(1).optional().describe('Training data, relative to this file. Omitted: the bundled default for the task.'),
    valid: z
      .string()
      .min(1)
      .optional()
      .describe('Validation data, relative to this file. Omitted: a deterministic split of the training data.'),
    validFraction: z.number().gt(0).lt(1).default(0.1).describe('Share held out for validation when `valid` is omitted.'),
  })
  .describe('Plain text for language-model; JSONL {"text","label"} or CSV with text,label columns for classification.');

const modelSchema = z.strictObject({
  layers: positiveInt().max(512).default(6).describe('Number of Transformer layers N.'),
  dModel: positiveInt().max(16384).default(64).describe('Width of the residual stream.'),
  heads: positiveInt().max(1024).default(4).describe('Attention heads; must divide dModel.'),
  ffn: positiveInt().max(65536).default(256).describe('Hidden width of the feed-forward block.'),
  seqLen: z.int().min(2).max(8192).default(64).describe('Tokens (characters) per sequence.'),
  dropout: probability().default(0.1),
  attentionDropout: probability().default(0),
  tiedHead: z
    .boolean()
    .optional()
    .describe("Language models: the output layer is the token embedding, transposed (GPT-2's tie_word_embeddings). Omitted: false, a separate output matrix: tied, LayerDrop trains far worse (README: Exports)."),
  headBias: z
    .boolean()
    .optional()
    .describe("Language models: a bias on the output layer. Omitted: false, as GPT-2 has none, so an export loads in transformers as GPT2LMHeadModel; runs trained before it existed keep theirs."),
  shareLayersEvery: positiveInt().default(1).describe('Tie the weights of each group of k consecutive layers (1 = no sharing).'),
  skipBlocks: z
    .array(z.strictObject({ layer: z.int().min(0), part: z.enum(LAYER_PARTS) }))
    .optional()
    .describe(
      "Blocks this model runs without: one layer's attention or MLP left out, the stream passing that branch untouched (a sublayer search's cut; depthlab export --skip-blocks writes it). To leave out both, drop the layer (layersToKeep).",
    ),
  pretrained: z
    .string()
    .min(1)
    .optional()
    .describe('A Hugging Face model: a folder relative to this file, or an id (org/name or org/name@revision) in the Hugging Face cache. DepthLab analyzes and prunes it (depthlab analyze / export) instead of training a model of this shape.'),
});

const layerDropSchema = z.strictObject({
  rate: probability().default(0.2).describe('LayerDrop rate p (fairseq --encoder-layerdrop / --decoder-layerdrop).'),
  schedule: z
    .enum(LAYERDROP_SCHEDULES)
    .default('uniform')
    .describe('uniform: p for every layer; linear: p·l/(N−1); exp: p·(e^{l·ln2/(N−1)} − 1) (LayerSkip); learned: rates learned from each layer\'s input stream, averaging p (Fan et al. §4; prune with the importance metric learned-rate).'),
  perLayer: z.array(probability()).optional().describe('Explicit drop rate per layer; overrides the schedule.'),
});

const trainSchema = z.strictObject({
  steps: positiveInt().max(100_000_000).default(300),
  batchSize: positiveInt().max(65536).default(16),
  lr: z.number().gt(0).default(3e-3),
  warmup: z.int().min(0).default(30).describe('Linear warmup steps, then cosine decay to lr/10.'),
  weightDecay: z.number().min(0).default(0.01),
  clipNorm: z.number().min(0).default(1).describe('Clip the global gradient norm (0 = off).'),
  seed: z.int().min(0).default(1),
  evalEvery: z.int().min(0).default(100).describe('Steps between validation passes (0 = only at the end).'),
  evalBatches: positiveInt()
    .optional()
    .describe('A cap on the validation batches each evaluation uses, for quick looks; omitted: the whole validation split, every loss with its standard error.'),
  checkpointEvery: z.int().min(0).default(100).describe('Steps between checkpoints (0 = only at the end).'),
  backend: z
    .enum(BACKENDS)
    .default('auto')
    .describe('Where the job computes. auto: a hardware GPU through WebGPU, then @tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node, then the CPU (onnxruntime, then wasm); webgpu: the GPU through Dawn (Vulkan, Metal, D3D12), a software adapter too; onnxruntime: the bundled wasm engine with its matrix products on onnxruntime\'s CPU kernels (bundled); wasm: the wasm engine alone. The --backend flag and the depthlab.backend setting override it.'),
  earlyExit: z
    .strictObject({
      scale: z.number().min(0).default(0).describe("LayerSkip's e_scale: weight of the exits after earlier layers (0 = off)."),
      curriculum: z.enum(EARLY_EXIT_CURRICULA).default('none').describe('none: every exit every step; rotational: exits at layers l ≡ step (mod rotation); gradual: from the last layer down, all on by half of training.'),
      rotation: positiveInt().default(2).describe('Period of the rotational curriculum.'),
    })
    .prefault({})
    .describe('Early-exit loss (LayerSkip): the stream after each layer also trains the shared final norm and head, so shallow exits work; evaluate them with the first-k sweep.'),
  threads: z
    .union([positiveInt(), z.literal('auto')])
    .default('auto')
    .describe('Threads for training (data-parallel) and evaluation, each with its own backend instance (wasm uses one core per instance). auto: one per core, at most 2, a divisor of batchSize; a number: exactly that many, and batchSize must be a multiple. On webgpu and tfjs-node a job runs from one thread.'),
});

const pruneSchema = z.strictObject({
  strategy: z.enum(PRUNE_STRATEGIES).default('every-other'),
  targetLayers: positiveInt().optional().describe('Target depth r; defaults to half the layers.'),
  metric: z.enum(IMPORTANCE_METRICS).default('loss-increase').describe('Ranking metric for the importance strategy.'),
  protectEnds: z.boolean().default(false).describe('search-on-valid keeps the first and last layers until only they are left (SLEB).'),
  sublayers: z
    .boolean()
    .default(false)
    .describe("The analysis also removes each layer's attention and MLP alone (loss increase ± paired error) and searches greedily over them (BlockPruner), reporting the parameters and time each removal saves."),
});

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().optional(),
    task: z.enum(TASKS).default('language-model'),
    data: dataSchema.prefault({}),
    model: modelSchema.prefault({}),
    layerdrop: layerDropSchema.prefault({}),
    train: trainSchema.prefault({}),
    prune: pruneSchema.prefault({}),
    layersToKeep: z
      .array(z.int().min(0))
      .min(1)
      .optional()
      .describe('Layers kept at evaluation (fairseq layers_to_keep); absent = all.'),
    tasks: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "Multiple-choice tasks scored at every depth of a sweep beside the loss (acc, acc_norm): JSON Lines files relative to this file, in lm-evaluation-harness's shape or MMLU/ARC/HellaSwag's, or the bundled moby-dick-cloze. Language models only.",
      ),
  })
  .superRefine((config, ctx) => {
    const { layers: ownLayers, dModel, heads, pretrained } = config.model;
    // A pretrained model's depth is in its own config.json: the layer checks happen when it is opened.
    const layers = pretrained ? Infinity : ownLayers;
    if (dModel % heads !== 0) {
      const divisors = Array.from({ length: Math.min(dModel, 16384) }, (_, i) => i + 1).filter((d) => dModel % d === 0);
      ctx.addIssue({
        code: 'custom',
        path: ['model', 'heads'],
        message: `${heads} does not divide dModel ${dModel}; allowed: ${divisors.join(', ')}`,
      });
    }
    if (config.tasks && config.task !== 'language-model') {
      ctx.addIssue({ code: 'custom', path: ['tasks'], message: "multiple-choice tasks are scored by a language model's next-token loss; a classifier has none: remove tasks" });
    }
    for (const key of ['tiedHead', 'headBias'] as const) {
      if (config.model[key] !== undefined && config.task !== 'language-model') {
        ctx.addIssue({ code: 'custom', path: ['model', key], message: 'applies to language models only: a classifier\'s head has one row per label and always a bias; remove it' });
      }
    }
    const perLayer = config.layerdrop.perLayer;
    if (perLayer && config.layerdrop.schedule === 'learned') {
      ctx.addIssue({ code: 'custom', path: ['layerdrop', 'perLayer'], message: 'cannot be given with schedule "learned", which learns the rates itself; remove one of them' });
    }
    if (perLayer && perLayer.length !== ownLayers) {
      ctx.addIssue({
        code: 'custom',
        path: ['layerdrop', 'perLayer'],
        message: `has ${perLayer.length} entries; allowed: exactly one per layer (${ownLayers})`,
      });
    }
    const { batchSize, threads } = config.train;
    if (threads !== 'auto' && batchSize % threads !== 0) {
      const allowed = Array.from({ length: batchSize }, (_, i) => i + 1).filter((t) => batchSize % t === 0);
      ctx.addIssue({ code: 'custom', path: ['train', 'threads'], message: `${threads} does not divide batchSize ${batchSize}; allowed: ${allowed.join(', ')}` });
    }
    const target = config.prune.targetLayers;
    if (target !== undefined && target > layers) {
      ctx.addIssue({
        code: 'custom',
        path: ['prune', 'targetLayers'],
        message: `${target} is more than the model's ${layers} layers; allowed: 1..${layers}`,
      });
    }
    const seen = new Set<number>();
    (config.layersToKeep ?? []).forEach((layer, i) => {
      if (layer >= layers) {
        ctx.addIssue({
          code: 'custom',
          path: ['layersToKeep', i],
          message: `layer ${layer} does not exist; allowed: 0..${layers - 1}`,
        });
      } else if (seen.has(layer)) {
        ctx.addIssue({ code: 'custom', path: ['layersToKeep', i], message: `layer ${layer} is listed twice` });
      }
      seen.add(layer);
    });
    const skipped = new Set<string>();
    config.model.skipBlocks?.forEach(({ layer, part }, i) => {
      const other = `${layer} ${part === 'attention' ? 'mlp' : 'attention'}`;
      const problem =
        layer >= layers ? `layer ${layer} does not exist; allowed: 0..${layers - 1}` : skipped.has(`${layer} ${part}`) ? `${part} ${layer} is listed twice` : skipped.has(other) ? `both blocks of layer ${layer} are left out: leave the layer out whole instead (layersToKeep, or depthlab export --layers)` : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path: ['model', 'skipBlocks', i], message: problem });
      skipped.add(`${layer} ${part}`);
    });
  });

export type DepthLabConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ModelConfig = DepthLabConfig['model'];
export type LayerDropConfig = DepthLabConfig['layerdrop'];
export type TrainConfig = DepthLabConfig['train'];
export type EarlyExitConfig = TrainConfig['earlyExit'];
