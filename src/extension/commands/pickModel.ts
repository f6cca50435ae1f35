import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { cachedModelChoices, choiceFacts, modelChoice, type ModelChoice } from '../../core/huggingface/modelChoices';
import { isPretrainedFolder } from '../../core/huggingface/pretrainedConfig';
import { readModelAnalysis } from '../../core/run/modelAnalysisFile';

type ModelItem = vscode.QuickPickItem & { folder?: string; choose?: true };

/** A choice as a row: what it is beside its name, and below, its analysis or why it cannot be opened. */
function itemOf(choice: ModelChoice): ModelItem {
  const analysis = choice.unusable ? undefined : safely(() => readModelAnalysis(choice.folder));
  return {
    label: choice.unusable ? `$(circle-slash) ${choice.label}` : choice.label,
    description: choiceFacts(choice),
    detail: choice.unusable ? `DepthLab cannot open it: ${choice.unusable}` : analysis ? `analysed: keep ${analysis.keep.join(',')} (${analysis.strategy})` : undefined,
    folder: choice.unusable ? undefined : choice.folder,
  };
}

/**
 * The Hugging Face model a command works on: the one it was given (CodeLens, explorer: a folder or
 * its config.json), else the user's pick: the workspace's model folders and every causal or masked
 * language model in the Hugging Face cache (its id, revision, size, layers and family, or why
 * DepthLab cannot open it), analysed ones first, then "Choose folder…".
 */
export async function pickModelFolder(given?: vscode.Uri): Promise<string | undefined> {
  if (given) return fs.statSync(given.fsPath).isDirectory() ? given.fsPath : path.dirname(given.fsPath);
  const configs = await vscode.workspace.findFiles('**/config.json', '{**/node_modules/**,**/.depthlab/**}');
  const inWorkspace = configs.map((uri) => path.dirname(uri.fsPath)).filter(isPretrainedFolder).flatMap((folder) => modelChoice(folder, vscode.workspace.asRelativePath(folder)) ?? []);
  const choices = [...inWorkspace, ...cachedModelChoices()];
  if (choices.length === 1 && !choices[0].unusable) return choices[0].folder;
  const items = choices.map(itemOf);
  const analysedFirst = [...items.filter((item) => item.detail?.startsWith('analysed')), ...items.filter((item) => !item.detail?.startsWith('analysed'))];
  const picked = await vscode.window.showQuickPick<ModelItem>(
    [...analysedFirst, { label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(folder-opened) Choose folder…', choose: true }],
    { placeHolder: choices.length ? 'Which model? (the workspace’s, and the Hugging Face cache’s)' : 'No Hugging Face model in the workspace or the cache: choose its folder', ignoreFocusOut: true, matchOnDescription: true },
  );
  if (!picked) return undefined;
  if (picked.choose) {
    const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Explore this model', title: 'A Hugging Face model folder (config.json, safetensors weights, tokenizer.json)' });
    return chosen?.[0]?.fsPath;
  }
  if (!picked.folder) {
    void vscode.window.showWarningMessage(`DepthLab: ${picked.detail}`);
    return undefined;
  }
  return picked.folder;
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
