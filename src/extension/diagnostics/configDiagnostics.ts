import * as vscode from 'vscode';
import { configProblems } from '../../core/config/configProblems';

/**
 * Problems in `*.depthlab.json` that the JSON Schema cannot express (layersToKeep out of range or
 * repeated, heads not dividing dModel, data files that do not exist), as diagnostics on the field.
 * Schema problems are left to VS Code's JSON language service, which has the same schema.
 */
export function registerConfigDiagnostics(): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('depthlab');
  const update = (document: vscode.TextDocument) => {
    if (document.uri.scheme !== 'file' || !document.uri.path.endsWith('.depthlab.json')) return;
    const diagnostics = configProblems(document.getText(), document.uri.fsPath)
      .filter((problem) => problem.semantic)
      .map(({ location, message }) => {
        const range = new vscode.Range(document.positionAt(location.offset), document.positionAt(location.offset + location.length));
        const diagnostic = new vscode.Diagnostic(range, `${location.path}: ${message}`, vscode.DiagnosticSeverity.Error);
        diagnostic.source = 'DepthLab';
        return diagnostic;
      });
    collection.set(document.uri, diagnostics);
  };
  vscode.workspace.textDocuments.forEach(update);
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument(update),
    vscode.workspace.onDidChangeTextDocument((event) => update(event.document)),
    vscode.workspace.onDidCloseTextDocument((document) => collection.delete(document.uri)),
  );
}
