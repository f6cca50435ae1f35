import * as vscode from 'vscode';
import { layerListEdits } from '../../core/layerLists/layerListEdits';
import type { LayerListSite } from '../../core/layerLists/layerListSite';
import { sitesOf } from '../../core/layerLists/sitesOf';

/**
 * Write `layers` into the `occurrence`-th list called `key` in a file, in that file's syntax, as one undoable
 * WorkspaceEdit (comments and formatting kept), then save so the engine and other tools see it.
 */
export async function writeLayerList(uri: vscode.Uri, key: string, occurrence: number, layers: readonly number[]): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  const text = document.getText();
  const site = sitesOf(uri.fsPath, text).filter((candidate: LayerListSite) => candidate.key === key)[occurrence];
  if (!site) throw new Error(`${vscode.workspace.asRelativePath(uri)} has no ${key} to write; was it removed?`);
  const edit = new vscode.WorkspaceEdit();
  for (const change of layerListEdits(text, uri.fsPath, site, layers)) {
    edit.replace(uri, new vscode.Range(document.positionAt(change.offset), document.positionAt(change.offset + change.length)), change.content);
  }
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`could not edit ${vscode.workspace.asRelativePath(uri)}`);
  await document.save();
}
