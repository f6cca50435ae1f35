import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors';
import { writeJsonAtomic } from '../files/atomicWrite';

/** Where an export keeps its plan: what was cut, measured on what, with what result. */
export const PLAN_FILE = 'depthlab-plan.json';

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

const identitySchema = z.object({
  /** sha256 of config.json. */
  config: z.string(),
  /** Every weight file (safetensors and their index) with its size in bytes. */
  weights: z.array(z.object({ file: z.string(), bytes: z.number() })),
});
export type FolderIdentity = z.infer<typeof identitySchema>;

const measuredSchema = z.object({ loss: z.number(), stdErr: z.number().optional(), perplexity: z.number().optional() });

export const planSchema = z.object({
  format: z.literal('depthlab-plan/1'),
  source: identitySchema.extend({ folder: z.string(), layers: z.number() }),
  export: identitySchema,
  text: z.object({ source: z.string(), file: z.string(), sha256: z.string(), tokens: z.number(), window: z.number() }),
  choice: z.object({ chosenBy: z.string(), keep: z.array(z.number()) }),
  before: measuredSchema,
  after: measuredSchema,
});
export type PrunePlan = z.infer<typeof planSchema>;

/** A model folder's identity: its config's hash and its weight files' sizes (hashing gigabytes of weights would cost minutes). */
export function folderIdentity(folder: string): FolderIdentity {
  const weights = fs
    .readdirSync(folder)
    .filter((name) => /\.safetensors(\.index\.json)?$/.test(name))
    .sort()
    .map((file) => ({ file, bytes: fs.statSync(path.join(folder, file)).size }));
  return { config: sha256(fs.readFileSync(path.join(folder, 'config.json'))), weights };
}

/** The text's identity: the file's hash. */
export const textHash = (file: string) => sha256(fs.readFileSync(file));

export function writePlan(folder: string, plan: PrunePlan): string {
  const file = path.join(folder, PLAN_FILE);
  writeJsonAtomic(file, plan);
  return file;
}

export function readPlan(file: string): PrunePlan {
  const resolved = fs.existsSync(file) && fs.statSync(file).isDirectory() ? path.join(file, PLAN_FILE) : file;
  if (!fs.existsSync(resolved)) throw new UserError(`${file}: no ${PLAN_FILE}; depthlab export of a Hugging Face model writes one into its folder`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(resolved, 'utf8'));
  } catch {
    throw new UserError(`${resolved}: not JSON; a prune plan is the ${PLAN_FILE} that depthlab export writes`);
  }
  const parsed = planSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${resolved}: "${issue.path.join('.')}" ${issue.message.toLowerCase()}; a prune plan is the ${PLAN_FILE} that depthlab export writes`);
  }
  return parsed.data;
}

/** What differs between a recorded identity and a folder's now, in words; undefined when nothing does. */
export function identityChange(recorded: FolderIdentity, now: FolderIdentity): string | undefined {
  if (recorded.config !== now.config) return 'config.json changed';
  const sizes = (identity: FolderIdentity) => identity.weights.map((w) => `${w.file}:${w.bytes}`).join(' ');
  return sizes(recorded) === sizes(now) ? undefined : `its weight files changed (${sizes(recorded)} then, ${sizes(now) || 'none'} now)`;
}
