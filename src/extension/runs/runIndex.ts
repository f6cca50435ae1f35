import * as vscode from 'vscode';
import { runList } from '../../core/run/runSnapshot';
import type { RunListEntry } from '../../core/run/runSnapshot';

const RUN_GLOB = '**/.depthlab/runs/*/run.json';

/** The workspace's runs, wherever their configs live, and a signal when any run's files change (CLI runs included). */
export class RunIndex implements vscode.Disposable {
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/.depthlab/runs/**');
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor() {
    for (const on of [this.watcher.onDidCreate, this.watcher.onDidChange, this.watcher.onDidDelete]) on((uri) => this.changed.fire(uri));
  }

  async list(): Promise<RunListEntry[]> {
    const files = await vscode.workspace.findFiles(RUN_GLOB, '**/node_modules/**');
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    return runList(
      files.map((uri) => uri.fsPath),
      root,
    );
  }

  /** Runs of one config, newest first. */
  async of(configFile: string): Promise<RunListEntry[]> {
    return (await this.list()).filter((run) => run.configFile === configFile);
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}
