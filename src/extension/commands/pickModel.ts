import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isPretrainedFolder } from '../../core/huggingface/pretrainedConfig';

/**
 * The Hugging Face model folder a command works on: the one it was given (CodeLens, explorer: a
 * folder or its config.json), else the user's pick among the workspace's folders whose config.json
 * names a model_type.
 */
export async function pickModelFolder(given?: vscode.Uri): Promise<string | undefined> {
  if (given) return fs.statSync(given.fsPath).isDirectory() ? given.fsPath : path.dirname(given.fsPath);
  const configs = await vscode.workspace.findFiles('**/config.json', '{**/node_modules/**,**/.depthlab/**}');
  const folders = configs.map((uri) => path.dirname(uri.fsPath)).filter(isPretrainedFolder);
  if (folders.length === 0) {
    void vscode.window.showInformationMessage('DepthLab: no Hugging Face model folder (config.json with a model_type, safetensors weights, tokenizer.json) in this workspace.');
    return undefined;
  }
  if (folders.length === 1) return folders[0];
  const picked = await vscode.window.showQuickPick(
    folders.map((folder) => ({ label: vscode.workspace.asRelativePath(folder), folder })),
    { placeHolder: 'Which model?', ignoreFocusOut: true },
  );
  return picked?.folder;
}
