import * as vscode from 'vscode';

export const CONFIG_GLOB = '**/*.depthlab.json';

/**
 * The config a command works on: the one it was given (CodeLens, explorer), else the active
 * `*.depthlab.json` editor, else the user's pick among the workspace's configs. Unsaved edits are
 * saved first, because the worker reads the file from disk.
 */
export async function pickConfig(given?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const uri = given ?? activeConfig() ?? (await askForConfig());
  if (!uri) return undefined;
  const open = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
  return uri;
}

export function activeConfig(): vscode.Uri | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri && uri.scheme === 'file' && uri.path.endsWith('.depthlab.json') ? uri : undefined;
}

async function askForConfig(): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles(CONFIG_GLOB, '**/node_modules/**');
  if (files.length === 0) {
    const choice = await vscode.window.showInformationMessage('No *.depthlab.json config in this workspace.', 'New Config');
    if (choice) await vscode.commands.executeCommand('depthlab.newConfig');
    return undefined;
  }
  if (files.length === 1) return files[0];
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { placeHolder: 'Which DepthLab config?', ignoreFocusOut: true },
  );
  return picked?.uri;
}
