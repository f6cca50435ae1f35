import * as vscode from 'vscode';
import type { DepthExplorer } from '../explorer/depthExplorer';
import type { JobRunner } from '../jobs/jobRunner';

/** What every command module gets. */
export interface CommandContext {
  jobs: JobRunner;
  explorer: DepthExplorer;
  log: vscode.LogOutputChannel;
}

/** Commands that run code from the workspace (the engine, and tfjs-node found there) need a trusted workspace. */
export function requireTrust(title: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(
    `DepthLab: "${title}" reads and runs code from this workspace, so it needs a trusted workspace. Use "Workspaces: Manage Workspace Trust" to trust it.`,
  );
  return false;
}

/** Registers commands whose failures reach the user as one message with Show Log, and the log with the stack. */
export function guardedCommand(log: vscode.LogOutputChannel) {
  return (id: string, handler: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: never[]) => {
      try {
        await handler(...args);
      } catch (error) {
        log.error(`${id}: ${(error as Error).stack ?? String(error)}`);
        const choice = await vscode.window.showErrorMessage(`DepthLab: ${(error as Error).message}`, 'Show Log');
        if (choice) log.show();
      }
    });
}
