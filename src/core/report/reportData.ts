import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Comparison } from '../compare/compareSummary';
import { UserError } from '../errors';
import { analysisHome, modelAnalysisFile, readModelAnalysis } from '../run/modelAnalysisFile';
import { modelFolderOf } from '../files/hubCache';
import { modelSnapshot } from './modelSnapshot';
import { readRun } from '../run/runFiles';
import { runPaths } from '../run/runPaths';
import { runSnapshot, type RunSnapshot } from '../run/runSnapshot';
import type { DepthRow } from '../evaluate/depthSweep';
import { analysisText, compareText, modelAnalysisText } from './analysisText';
import { errorText } from './depthTable';

/** What a report shows: the explorer's snapshot or a comparison for the charts, the CLI's own tables as text. */
export interface ReportData {
  kind: 'run' | 'model' | 'compare';
  title: string;
  subtitle: string;
  snapshot?: RunSnapshot;
  comparison?: Comparison;
  /** The answer first: the choice and how to use it, or what a comparison says. */
  headline: string[];
  /** The CLI's tables, with their standard errors, and the choice with its fairseq and Hugging Face settings. */
  tables: string;
  /** What is not measured yet, and the command that adds it. */
  missing?: string;
  /** Where the report goes unless told otherwise. */
  defaultOut: string;
}

const ACCEPTS = 'a run folder (.depthlab/runs/<id>), a Hugging Face model folder that depthlab analyze has measured, or a compare file (.depthlab/compare/<stamp>.json)';

/** The report of a run folder, an analysed model folder or a compare file; anything else is a user error saying which three it accepts. */
export function reportData(target: string): ReportData {
  const resolved = modelFolderOf(target);
  if (!resolved) throw new UserError(`report: ${target} does not exist; it takes ${ACCEPTS}`);
  if (fs.statSync(resolved).isFile()) return compareReport(resolved, target);
  if (fs.existsSync(path.join(resolved, 'run.json'))) return runReport(resolved);
  if (fs.existsSync(path.join(resolved, 'config.json'))) return modelReport(resolved, target);
  throw new UserError(`report: ${target} is none of what it takes: ${ACCEPTS}`);
}

function runReport(dir: string): ReportData {
  const paths = runPaths(dir);
  const run = readRun(paths);
  const { record, analysis, healed } = run;
  return {
    kind: 'run',
    title: `DepthLab run ${paths.id}`,
    subtitle: `${path.basename(run.configFile)}: ${record.status} at step ${record.step} of ${record.steps}, ${run.config.model.layers} layers, LayerDrop ${run.config.layerdrop.rate}`,
    snapshot: runSnapshot(paths),
    headline: analysis ? [choiceLine(analysis, analysis.sweep), `fairseq: ${analysis.fairseq.flag}`, `Hugging Face: ${JSON.stringify(analysis.huggingFace)}`] : [],
    tables: analysis ? analysisText(analysis, healed).trim() : '',
    missing: analysis
      ? undefined
      : `Not analysed yet: \`depthlab sweep ${path.basename(run.configFile)}\` (or "Evaluate All Depths" in the editor) adds the importance per layer, the depth sweep, the angular distances and the choice.`,
    defaultOut: paths.report,
  };
}

function modelReport(folder: string, target: string): ReportData {
  const analysis = readModelAnalysis(folder);
  if (!analysis) throw new UserError(`report: ${target} has no analysis yet (${modelAnalysisFile(folder)}); run \`depthlab analyze ${target}\` first`);
  return {
    kind: 'model',
    title: `DepthLab analysis of ${path.basename(folder)}`,
    subtitle: `${analysis.modelType}, ${analysis.layers} layers, ${(analysis.parameters / 1e6).toFixed(2)}M parameters; ${analysis.data.tokens} tokens of ${analysis.data.source}`,
    snapshot: modelSnapshot(folder),
    headline: [choiceLine(analysis, analysis.sweeps[analysis.strategy] ?? []), `depthlab export ${target} --layers ${analysis.keep.join(',')}: a pruned folder transformers loads, with ${analysis.layerCountKey} ${analysis.keep.length}`],
    tables: modelAnalysisText({ file: modelAnalysisFile(folder), analysis }),
    defaultOut: path.join(analysisHome(folder), 'report.html'),
  };
}

function compareReport(file: string, target: string): ReportData {
  let comparison: Comparison;
  try {
    comparison = JSON.parse(fs.readFileSync(file, 'utf8')) as Comparison;
  } catch {
    throw new UserError(`report: ${target} is not JSON; it takes ${ACCEPTS}`);
  }
  if (!Array.isArray(comparison?.models) || typeof comparison.layers !== 'number') throw new UserError(`report: ${target} is not a compare file; it takes ${ACCEPTS}`);
  return {
    kind: 'compare',
    title: `DepthLab comparison: ${path.basename(comparison.configFile)}`,
    subtitle: `${comparison.models.length} models, ${comparison.steps} steps each, same data and seed; target ${comparison.target} of ${comparison.layers}`,
    comparison,
    headline: comparison.summary.slice(0, 1),
    tables: compareText({ ...comparison, file }),
    defaultOut: file.replace(/\.json$/, '') + '.html',
  };
}

/** "every-other keeps 0,2,4 of 6: loss 2.31 ± 0.01, +0.002 ± 0.001 against all 6" from the strategy's own sweep. */
function choiceLine(choice: { strategy: string; keep: number[]; layers: number }, sweep: readonly DepthRow[]): string {
  const row = sweep.find((r) => r.depth === choice.keep.length);
  const full = sweep.find((r) => r.depth === choice.layers);
  const cost = row && full ? `: loss ${errorText(row.loss, row.stdErr)}, ${row.loss >= full.loss ? '+' : '−'}${errorText(Math.abs(row.loss - full.loss), row.deltaStdErr)} against all ${choice.layers}` : '';
  return `${choice.strategy} keeps ${choice.keep.join(',')} of ${choice.layers}${cost}`;
}
