import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BackendName } from '../core/config/choices';
import { DepthlabCodeLensProvider } from './codeLens/depthlabCodeLens';
import { InteropCodeLensProvider } from './codeLens/interopCodeLens';
import { ModelCodeLensProvider } from './codeLens/modelCodeLens';
import { registerCommands } from './commands/registerCommands';
import { registerConfigDiagnostics } from './diagnostics/configDiagnostics';
import { DepthExplorer } from './explorer/depthExplorer';
import { JobRunner } from './jobs/jobRunner';
import { jobRuntime } from './jobs/nodeRuntime';
import { chosenInterpreter } from './jobs/pythonInterpreter';
import { RunIndex } from './runs/runIndex';
import { useWorkspace } from '../core/run/modelAnalysisFile';

/** Cheap on purpose: no TensorFlow.js here; jobs run in dist/worker.js. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('DepthLab', { log: true });
  // A cached model's analysis lives in the workspace, as the CLI and the job worker put it there.
  const workspaceRoot = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  useWorkspace(workspaceRoot());
  context.subscriptions.push(vscode.workspace.onDidChangeWorkspaceFolders(() => useWorkspace(workspaceRoot())));
  const runs = new RunIndex();
  const jobs = new JobRunner(context.asAbsolutePath(path.join('dist', 'worker.js')), log, nativeBackendPaths, backendSetting, () => jobRuntime({ configured: nodeExecutable(), electron: process.versions.electron }), () => chosenInterpreter());
  const explorer = new DepthExplorer(context.extensionUri, runs, jobs, log);
  context.subscriptions.push(
    log,
    runs,
    jobs,
    explorer,
    vscode.window.registerWebviewViewProvider(DepthExplorer.viewId, explorer),
    vscode.languages.registerCodeLensProvider({ scheme: 'file', pattern: '**/*.depthlab.json' }, new DepthlabCodeLensProvider(runs, jobs)),
    vscode.languages.registerCodeLensProvider(
      [
        { scheme: 'file', pattern: '**/config.json' },
        { scheme: 'file', language: 'shellscript' },
        { scheme: 'file', language: 'yaml' },
        { scheme: 'file', pattern: '**/*.{sh,yaml,yml}' },
      ],
      new InteropCodeLensProvider(),
    ),
    vscode.languages.registerCodeLensProvider({ scheme: 'file', pattern: '**/config.json' }, new ModelCodeLensProvider(runs, jobs)),
    registerConfigDiagnostics(),
    ...registerCommands({ jobs, explorer, log }),
  );
}

export function deactivate(): void {}

/**
 * Where the worker looks for @tensorflow/tfjs-node(-gpu): the `depthlab.nodeModules` setting, then
 * each workspace folder's node_modules. Without one the engine uses its bundled wasm backend.
 */
function nativeBackendPaths(): string[] {
  const configured = vscode.workspace.getConfiguration('depthlab').get<string>('nodeModules');
  const folders = (vscode.workspace.workspaceFolders ?? []).map((folder) => path.join(folder.uri.fsPath, 'node_modules'));
  return [...(configured ? [configured] : []), ...folders];
}

/** The `depthlab.backend` setting: a backend every job uses instead of its config's; "auto" leaves the config's choice. */
function backendSetting(): BackendName | undefined {
  const backend = vscode.workspace.getConfiguration('depthlab').get<BackendName>('backend');
  return backend && backend !== 'auto' ? backend : undefined;
}

/**
 * The `depthlab.nodeExecutable` setting: a Node 20+ binary for job processes. Unset, jobs run in the
 * editor's own runtime (Electron as Node in VS Code desktop, whose V8 sandbox keeps WebGPU out).
 */
function nodeExecutable(): string | undefined {
  return vscode.workspace.getConfiguration('depthlab').get<string>('nodeExecutable') || undefined;
}
