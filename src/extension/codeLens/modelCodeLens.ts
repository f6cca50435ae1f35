import * as path from 'node:path';
import * as vscode from 'vscode';
import { readModelAnalysis } from '../../core/run/modelAnalysisFile';
import { isPretrainedFolder, readPretrainedConfig } from '../../core/huggingface/pretrainedConfig';
import type { JobRunner } from '../jobs/jobRunner';
import type { RunIndex } from '../runs/runIndex';

/** On a Hugging Face model's config.json: explore its depth; once analysed, open the analysis and export. */
export class ModelCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  /** Files change under .depthlab/ (any front end), and jobs end: the editor's own analyses refresh even if a watcher event is lost. */
  constructor(runs: RunIndex, jobs: JobRunner) {
    runs.onDidChange(() => this.changed.fire());
    jobs.onDidChangeJob(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const folder = path.dirname(document.uri.fsPath);
    if (!isPretrainedFolder(folder)) return [];
    let layers: number;
    try {
      layers = readPretrainedConfig(folder).layers;
    } catch {
      // An unsupported model_type or a broken config: the command says why when run; no lens here.
      return [];
    }
    const top = new vscode.Range(0, 0, 0, 0);
    const uri = vscode.Uri.file(folder);
    const lenses = [new vscode.CodeLens(top, { title: `DepthLab: Explore depth of this model (${layers} layers)`, command: 'depthlab.analyzeModel', arguments: [uri] })];
    const analysis = safely(() => readModelAnalysis(folder));
    if (analysis) {
      lenses.push(
        new vscode.CodeLens(top, { title: `analysed: keep ${analysis.keep.join(',')} (${analysis.strategy})`, command: 'depthlab.openModelAnalysis', arguments: [uri] }),
        new vscode.CodeLens(top, { title: 'Export pruned model…', command: 'depthlab.exportModel', arguments: [uri] }),
      );
    }
    return lenses;
  }
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
