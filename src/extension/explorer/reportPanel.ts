import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { reportData } from '../../core/report/reportData';
import { writeReport } from '../../core/report/reportPage';

/**
 * `depthlab report` from the editor: the page written beside its source (a run folder, a model
 * folder, a compare file) and shown in an editor tab; the file opens in a browser from the notice.
 */
export function openReport(source: string, extensionUri: vscode.Uri): void {
  const data = reportData(source);
  const file = writeReport(data);
  const panel = vscode.window.createWebviewPanel('depthlab.report', `Report: ${data.title.replace(/^DepthLab /, '')}`, vscode.ViewColumn.Active, { enableScripts: true });
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'depthlab.svg');
  // The page carries its own content security policy: inline script and styles, nothing loaded.
  panel.webview.html = fs.readFileSync(file, 'utf8');
  void vscode.window.showInformationMessage(`DepthLab: report written to ${vscode.workspace.asRelativePath(file)}`, 'Open in Browser', 'Reveal File').then((choice) => {
    if (choice === 'Open in Browser') void vscode.env.openExternal(vscode.Uri.file(file));
    if (choice === 'Reveal File') void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(file));
  });
}
