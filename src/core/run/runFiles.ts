import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { HEAL_PARTS, IMPORTANCE_METRICS, PRUNE_STRATEGIES, TASKS } from '../config/choices';
import { configSchema, type DepthLabConfig } from '../config/schema';
import { UserError } from '../errors';
import type { DepthRow } from '../evaluate/depthSweep';
import { writeJsonAtomic } from '../files/atomicWrite';
import type { LayerDropStatistics } from '../statistics/dropStatistics';
import type { LayerStatistics } from '../statistics/importance';
import type { ChoiceMargin } from '../prune/choiceMargin';
import { configFileOf, type RunPaths } from './runPaths';
import { LAYER_PARTS } from '../config/choices';
import type { PartIncrease } from '../statistics/partImportance';
import type { SublayerRow } from '../prune/sublayerSearch';

/**
 * The JSON files of a run, each with one schema, one reader and one writer. The schemas accept
 * every file release 0.1 wrote (test/fixtures/release-0.1-run) and extra keys a later release adds.
 */

export const RUN_STATUSES = ['running', 'completed', 'cancelled', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const count = () => z.int().min(0);

const runRecordSchema = z.object({
  id: z.string().min(1),
  /** The config file, relative to the folder that holds `.depthlab/`. */
  configFile: z.string().min(1),
  status: z.enum(RUN_STATUSES),
  backend: z.string(),
  /** The device in words ("CPU", a GPU adapter's name); absent in runs made before it was recorded. */
  device: z.string().optional(),
  step: count(),
  steps: count(),
  createdAt: z.string(),
  updatedAt: z.string(),
  error: z.string().optional(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

const dropSchema = z.object({ layer: count(), configuredRate: z.number(), empiricalRate: z.number(), timesDropped: count(), meanGradNorm: z.number(), learnedRate: z.number().optional() });
const measuredSchema = dropSchema.extend({
  lossIncrease: z.number().optional(),
  lossIncreaseStdErr: z.number().optional(),
  lossIncreaseEstimate: z.number().optional(),
  lossIncreaseEstimateStdErr: z.number().optional(),
  blockInfluence: z.number(),
  weightL1: z.number(),
});
/** A layer's importance: its exact loss increase, or where a budget ran out its first-order estimate, or both. */
export const importanceSchema = measuredSchema.refine((layer) => layer.lossIncrease !== undefined || layer.lossIncreaseEstimate !== undefined, { message: 'a layer needs lossIncrease or lossIncreaseEstimate' });
// The schemas describe what the engine writes: these fail to compile when the two drift apart.
dropSchema satisfies z.ZodType<LayerDropStatistics>;
importanceSchema satisfies z.ZodType<LayerStatistics>;

/** statistics.json: drop counters while training; after an analysis, importance too. */
const statisticsSchema = z.object({
  fullLoss: z.number().optional(),
  layers: z.array(measuredSchema.partial({ blockInfluence: true, weightL1: true })),
});
export type StatisticsFile = z.infer<typeof statisticsSchema>;

const evaluationSchema = z.object({
  layers: z.array(count()),
  loss: z.number(),
  perplexity: z.number().optional(),
  accuracy: z.number().optional(),
  msPerBatch: z.number(),
  stdErr: z.number().optional(),
  deltaStdErr: z.number().optional(),
});
const taskScoreSchema = z.object({
  name: z.string(),
  items: count(),
  acc: z.number(),
  accStdErr: z.number(),
  accNorm: z.number(),
  accNormStdErr: z.number(),
  accStepStdErr: z.number().optional(),
});
export const depthRowSchema = evaluationSchema.extend({
  depth: count(),
  stepStdErr: z.number().optional(),
  parameters: count().optional(),
  weightBytes: count().optional(),
  tokensPerSecond: z.number().optional(),
  tasks: z.array(taskScoreSchema).optional(),
});
export const partIncreaseSchema = z.object({ layer: count(), attention: z.number(), attentionStdErr: z.number(), mlp: z.number(), mlpStdErr: z.number() });
partIncreaseSchema satisfies z.ZodType<PartIncrease>;
export const sublayerRowSchema = z.object({
  removed: z.array(z.object({ layer: count(), part: z.enum(LAYER_PARTS) })),
  loss: z.number(),
  stdErr: z.number().optional(),
  deltaStdErr: z.number().optional(),
  msPerBatch: z.number(),
  parameters: count(),
  weightBytes: count(),
  tokensPerSecond: z.number().optional(),
});
sublayerRowSchema satisfies z.ZodType<SublayerRow>;

/** The tasks an analysis measured: each file, its questions, and how many lost context to the window. */
export const measuredTaskSchema = z.object({ name: z.string(), file: z.string(), items: count(), truncated: count() });
export type MeasuredTask = z.infer<typeof measuredTaskSchema>;
depthRowSchema satisfies z.ZodType<DepthRow>;

export const choiceMarginSchema = z.object({ runnerUp: z.array(count()), difference: z.number(), stdErr: z.number() });
choiceMarginSchema satisfies z.ZodType<ChoiceMargin>;

/** sweep.json: per-layer statistics, the strategy's layers at the target, and every depth evaluated. */
const analysisSchema = z.object({
  task: z.enum(TASKS),
  layers: count(),
  fullLoss: z.number(),
  statistics: z.array(importanceSchema),
  strategy: z.enum(PRUNE_STRATEGIES),
  metric: z.enum(IMPORTANCE_METRICS),
  target: count(),
  keep: z.array(count()),
  /** search-on-valid, importance by loss increase: the runner-up at the target, by how much it lost, and that difference's error. */
  margin: choiceMarginSchema.optional(),
  /** The paper's training rate for this target, p* = 1 − r/N, beside the rate the run used. */
  recommendedRate: z.number(),
  trainedRate: z.number(),
  sweep: z.array(depthRowSchema),
  tasks: z.array(measuredTaskSchema).optional(),
  /** Each layer's attention and MLP removed alone, and the greedy search over them (--sublayers). */
  parts: z.array(partIncreaseSchema).optional(),
  sublayerSearch: z.array(sublayerRowSchema).optional(),
  /** angularDistance[n − 1][l]: arccos(cos(x_l, x_{l+n}))/π over the validation tokens (absent in runs analysed before it existed). */
  angularDistance: z.array(z.array(z.number())).optional(),
  fairseq: z.object({ flag: z.string(), modelOverrides: z.string() }),
  huggingFace: z.record(z.string(), z.number()),
});
export type Analysis = z.infer<typeof analysisSchema>;

/** healed/<name>/heal.json: a sub-network finetuned by `depthlab heal`, its loss before and after. */
const healRecordSchema = z.object({
  keep: z.array(count()),
  steps: count(),
  part: z.enum(HEAL_PARTS),
  before: evaluationSchema,
  after: evaluationSchema,
  createdAt: z.string(),
});
export type HealRecord = z.infer<typeof healRecordSchema>;
const HEAL_RECORD = 'heal.json';

/** A run's files, validated: what every reader of a run (jobs, the explorer, the CLI) works from. */
export interface RunData {
  paths: RunPaths;
  record: RunRecord;
  /** The absolute path of the config the run was started from. */
  configFile: string;
  /** The config as the run was started (a snapshot; the file may have changed since). */
  config: DepthLabConfig;
  statistics?: StatisticsFile;
  analysis?: Analysis;
  /** Every heal of this run, oldest first. */
  healed: HealRecord[];
}

/** Read and validate a run's files; a missing or corrupt one is a UserError naming this run and file. */
export function readRun(paths: RunPaths): RunData {
  const record = readRecord(paths);
  const config = readJsonFile(paths, paths.config, configSchema);
  if (!config) throw runFileError(paths, paths.config, 'is missing');
  return {
    paths,
    record,
    configFile: configFileOf(paths, record.configFile),
    config,
    statistics: readJsonFile(paths, paths.statistics, statisticsSchema),
    analysis: readJsonFile(paths, paths.sweep, analysisSchema),
    healed: readHealRecords(paths),
  };
}

function readHealRecords(paths: RunPaths): HealRecord[] {
  const folders = fs.existsSync(paths.healedDir) ? fs.readdirSync(paths.healedDir) : [];
  return folders
    .flatMap((folder) => readJsonFile(paths, path.join(paths.healedDir, folder, HEAL_RECORD), healRecordSchema) ?? [])
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The folder a heal of `record`'s sub-network writes to (its model and heal.json). */
export function healFolder(paths: RunPaths, record: Pick<HealRecord, 'keep' | 'part' | 'steps'>): string {
  return path.join(paths.healedDir, `keep-${record.keep.join('-')}-${record.part}-${record.steps}`);
}

export const writeHealRecord = (paths: RunPaths, record: HealRecord) => writeJsonAtomic(path.join(healFolder(paths, record), HEAL_RECORD), record);

/** run.json alone: enough to list and find runs. */
export function readRecord(paths: RunPaths): RunRecord {
  const record = readJsonFile(paths, paths.record, runRecordSchema);
  if (!record) throw runFileError(paths, paths.record, 'is missing');
  return record;
}

export const writeRecord = (paths: RunPaths, record: RunRecord) => writeJsonAtomic(paths.record, record);
export const writeRunConfig = (paths: RunPaths, config: DepthLabConfig) => writeJsonAtomic(paths.config, config);
export const writeStatistics = (paths: RunPaths, statistics: StatisticsFile) => writeJsonAtomic(paths.statistics, statistics);
export const writeAnalysis = (paths: RunPaths, analysis: Analysis) => writeJsonAtomic(paths.sweep, analysis);

function readJsonFile<T>(paths: RunPaths, file: string, schema: z.ZodType<T>): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw runFileError(paths, file, `is not valid JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('').replace(/^\./, '');
  throw runFileError(paths, file, `${where || '(root)'}: ${issue.message}`);
}

function runFileError(paths: RunPaths, file: string, problem: string): UserError {
  return new UserError(`run ${paths.id}: ${path.relative(paths.dir, file)} ${problem}; restore the file or delete the run folder ${paths.dir}`);
}
