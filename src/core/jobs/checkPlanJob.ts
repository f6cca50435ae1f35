import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundledDataFile } from '../config/bundledData';
import { UserError } from '../errors';
import { evaluate, type Evaluation } from '../evaluate/evaluate';
import { folderIdentity, identityChange, PLAN_FILE, readPlan, textHash } from '../export/prunePlan';
import type { JobContext } from './jobContext';
import { withPretrained } from './openedPretrained';

export interface CheckPlanRequest {
  /** The plan file, or the exported folder that holds it. */
  plan: string;
  /** The largest loss increase over the original model allowed, in nats (default 0.05). */
  maxIncrease?: number;
  /** The text, when it moved since the export (its hash must still match). */
  dataFile?: string;
}

export interface CheckPlanResult {
  folder: string;
  keep: number[];
  before: number;
  now: Evaluation;
  increase: number;
  maxIncrease: number;
  within: boolean;
}

export const DEFAULT_MAX_INCREASE = 0.05;

/**
 * `depthlab check`: re-measure an exported folder on the text its plan names and compare the loss
 * with the original model's. A changed model or text is a user error (exit 2): the plan no longer
 * describes what is measured.
 */
export function checkPlanJob(request: CheckPlanRequest, context: JobContext): Promise<CheckPlanResult> {
  const plan = readPlan(request.plan);
  const folder = fs.statSync(request.plan).isDirectory() ? path.resolve(request.plan) : path.dirname(path.resolve(request.plan));
  const changed = identityChange(plan.export, folderIdentity(folder));
  if (changed) throw new UserError(`${folder}: the model changed since ${PLAN_FILE} was written (${changed}); export again to make a new plan`);
  const dataFile = request.dataFile ?? (plan.text.source === 'Moby Dick (bundled)' ? bundledDataFile('language-model') : plan.text.file);
  if (!fs.existsSync(dataFile)) throw new UserError(`${dataFile}: the plan's text is not there; give its new place with --data`);
  if (textHash(dataFile) !== plan.text.sha256) throw new UserError(`${dataFile}: the text changed since ${PLAN_FILE} was written (sha256 differs); the plan measured ${plan.text.tokens} tokens of another text`);
  const maxIncrease = request.maxIncrease ?? DEFAULT_MAX_INCREASE;
  return withPretrained({ folder, dataFile, tokens: plan.text.tokens, window: plan.text.window }, context, ({ model, batches }) => {
    const now = evaluate(model, batches, Array.from({ length: model.layers }, (_, l) => l));
    const increase = now.loss - plan.before.loss;
    return { folder, keep: plan.choice.keep, before: plan.before.loss, now, increase, maxIncrease, within: increase <= maxIncrease };
  });
}
