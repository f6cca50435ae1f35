import * as fs from 'node:fs';
import * as path from 'node:path';
import { EMITTED, ReplyReader, type ScriptRequest } from '../analysis/emittedScript';
import { PretrainedTokenizer } from '../data/pretrainedTokenizer';
import { UserError } from '../errors';
import { readPretrainedConfig } from '../huggingface/pretrainedConfig';
import { TorchPretrainedModel } from '../huggingface/torchPretrained';
import { analyzeOpened, writtenAnalysis, type AnalyzeModelResult } from './analyzeModelJob';
import type { EmittedPlan } from './emitScriptJob';
import type { JobContext } from './jobContext';
import { measuredText } from './openedPretrained';

export interface ImportAnalysisRequest {
  /** The emitted folder, with the script's replies in it (or the replies file itself). */
  source: string;
  /** The model folder here, when it is not where --emit-script found it. */
  folder?: string;
}

/** A JSON Lines file, each line parsed; a line that is not JSON is one error naming it. */
function jsonLines<T>(file: string): T[] {
  if (!fs.existsSync(file)) throw new UserError(`${file} is missing${path.basename(file) === EMITTED.replies ? `: run ${EMITTED.run} where the model fits first, then bring ${EMITTED.replies} back beside it` : ''}`);
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      try {
        return JSON.parse(line) as T;
      } catch {
        throw new UserError(`${file}:${i + 1}: not JSON; was the file cut short?`);
      }
    });
}

/**
 * An analysis a script ran elsewhere (depthlab analyze --emit-script): the same analysis run again
 * here, every request answered from the script's replies, and written where `analyze` writes it.
 */
export async function importAnalysisJob(request: ImportAnalysisRequest, context: JobContext): Promise<AnalyzeModelResult> {
  const dir = fs.existsSync(request.source) && fs.statSync(request.source).isDirectory() ? path.resolve(request.source) : path.dirname(path.resolve(request.source));
  const planFile = path.join(dir, EMITTED.plan);
  if (!fs.existsSync(planFile)) throw new UserError(`${dir}: no ${EMITTED.plan}; depthlab import reads a folder written by depthlab analyze --emit-script`);
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as EmittedPlan;
  if (plan.format !== 'depthlab-emitted/1') throw new UserError(`${planFile}: format ${JSON.stringify(plan.format)}; this DepthLab reads depthlab-emitted/1`);
  const reader = new ReplyReader(jsonLines<ScriptRequest>(path.join(dir, EMITTED.requests)), jsonLines(path.join(dir, EMITTED.replies)), path.join(dir, EMITTED.replies));
  const description = reader.opened();
  const folder = path.resolve(request.folder ?? plan.folder);
  context.onEvent?.({ type: 'phase', phase: 'load', detail: `replies of ${description.className} (${description.placedOn.join(', ')}, ${description.dtype}) for ${folder}` });
  const config = readPretrainedConfig(folder);
  const tokenizer = PretrainedTokenizer.open(folder);
  const model = new TorchPretrainedModel(config, reader, description);
  try {
    const options = { ...plan.request, folder };
    return writtenAnalysis(await analyzeOpened({ folder, model, tokenizer, ...measuredText(options, model, tokenizer, context) }, options, context));
  } finally {
    model.dispose();
  }
}
