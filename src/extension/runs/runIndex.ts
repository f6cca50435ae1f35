import * as vscode from 'vscode';
import { modelList } from '../../core/report/modelSnapshot';
import { runList } from '../../core/run/runSnapshot';
import type { RunListEntry } from '../../core/run/runSnapshot';

const RUN_GLOB = '**/.depthlab/runs/*/run.json';
/** A model folder's own analysis, or a cached model's in the workspace's .depthlab/models/. */
const MODEL_ANALYSIS_GLOB = '**/.depthlab/{analysis.json,models/**/analysis.json}';

/** The workspace's runs and analysed model folders, and a signal when any of their files change (CLI runs included). */
export class RunIndex implements vscode.Disposable {
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/.depthlab/**');
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor() {
    for (const on of [this.watcher.onDidCreate, this.watcher.onDidChange, this.watcher.onDidDelete]) on((uri) => this.changed.fire(uri));
  }

  /** Runs newest first, then analysed models. */
  async list(): Promise<RunListEntry[]> {
    const [runs, models] = await Promise.all([RUN_GLOB, MODEL_ANALYSIS_GLOB].map((glob) => vscode.workspace.findFiles(glob, '**/node_modules/**')));
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const paths = (uris: vscode.Uri[]) => uris.map((uri) => uri.fsPath);
    return [...runList(paths(runs), root), ...modelList(paths(models))];
  }

  /** Runs of one config, newest first. */
  async of(configFile: string): Promise<RunListEntry[]> {
    return (await this.list()).filter((run) => run.kind === 'run' && run.configFile === configFile);
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}
