import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { IMPORTANCE_METRICS, PRUNE_STRATEGIES } from '../config/choices';
import { UserError } from '../errors';
import { writeJsonAtomic } from '../files/atomicWrite';
import { writable } from '../files/writable';
import { snapshotOf } from '../files/hubCache';
import { choiceMarginSchema, depthRowSchema, importanceSchema, measuredTaskSchema, partIncreaseSchema, sublayerRowSchema } from './runFiles';

const count = () => z.number().int().nonnegative();

const modelAnalysisSchema = z.object({
  folder: z.string(),
  modelType: z.string(),
  family: z.string(),
  objective: z.enum(['causal-lm', 'masked-lm']),
  layers: count(),
  layerCountKey: z.string(),
  parameters: count(),
  /** The LayerDrop rate the model was trained with, where its config.json says (OPT's `layerdrop`). */
  layerdrop: z.number().optional(),
  data: z.object({ source: z.string(), tokens: count(), window: count() }),
  fullLoss: z.number(),
  fullPerplexity: z.number(),
  statistics: z.array(importanceSchema),
  /** angularDistance[n − 1][l]: arccos(cos(x_l, x_{l+n}))/π averaged over tokens. */
  angularDistance: z.array(z.array(z.number())),
  /** Where a budget measured first-order estimates and some layers' exact loss increases too: how well the estimates ranked those. */
  estimateAgreement: z.object({ layers: count(), spearman: z.number() }).optional(),
  sweeps: z.partialRecord(z.enum(PRUNE_STRATEGIES), z.array(depthRowSchema)),
  tasks: z.array(measuredTaskSchema).optional(),
  parts: z.array(partIncreaseSchema).optional(),
  sublayerSearch: z.array(sublayerRowSchema).optional(),
  strategy: z.enum(PRUNE_STRATEGIES),
  metric: z.enum(IMPORTANCE_METRICS),
  target: count(),
  keep: z.array(count()),
  margin: choiceMarginSchema.optional(),
  /** Sweeps a time budget left out, each with why. */
  skipped: z.array(z.string()).optional(),
});
export type ModelAnalysis = z.infer<typeof modelAnalysisSchema>;

let workspaceRoot: string | undefined;

/** The workspace the editor has open: where the analyses of cached models go (the CLI and the job worker use their working folder). */
export function useWorkspace(folder: string | undefined): void {
  workspaceRoot = folder;
}

/**
 * Where DepthLab keeps what it measured of a model folder: the folder's own `.depthlab/` when it is
 * the user's (transformers ignores it). A snapshot in the Hugging Face cache belongs to
 * huggingface_hub, and a folder DepthLab cannot write is not its to write: their analyses go to
 * `.depthlab/models/<org>--<name>/<commit>/` (or `<folder name>/`) in the workspace, the editor's
 * folder or the CLI's working folder.
 */
export function analysisHome(folder: string, workspace = workspaceRoot ?? process.cwd()): string {
  const snapshot = snapshotOf(folder);
  if (snapshot) return path.join(workspace, '.depthlab', 'models', snapshot.id.replace('/', '--'), snapshot.commit);
  if (!writable(fs.existsSync(path.join(folder, '.depthlab')) ? path.join(folder, '.depthlab') : folder)) return path.join(workspace, '.depthlab', 'models', path.basename(folder));
  return path.join(folder, '.depthlab');
}

/** Where a model folder's analysis lives (analysisHome). */
export const modelAnalysisFile = (folder: string, workspace?: string) => path.join(analysisHome(folder, workspace), 'analysis.json');

export function writeModelAnalysis(folder: string, analysis: ModelAnalysis, workspace?: string): void {
  writeJsonAtomic(modelAnalysisFile(folder, workspace), analysis);
}

/** The saved analysis of a model folder, validated; undefined when none was made. */
export function readModelAnalysis(folder: string, workspace?: string): ModelAnalysis | undefined {
  const file = modelAnalysisFile(folder, workspace);
  if (!fs.existsSync(file)) return undefined;
  let parsed: z.ZodSafeParseResult<ModelAnalysis>;
  try {
    parsed = modelAnalysisSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (error) {
    throw new UserError(`${file}: not JSON (${(error as Error).message}); delete it and analyze again`);
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}; delete it and analyze again`);
  }
  return parsed.data;
}
