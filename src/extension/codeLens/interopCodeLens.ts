import * as vscode from 'vscode';
import { keepsText } from '../../core/layerLists/lensTitles';
import { sitesOf } from '../../core/layerLists/sitesOf';

/** Lenses on Hugging Face config.json files and fairseq command lines / YAML: the layer count, and the picker for that list. */
export class InteropCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const seen = new Map<string, number>();
    return sitesOf(document.uri.fsPath, document.getText()).map((site) => {
      const occurrence = seen.get(site.key) ?? 0;
      seen.set(site.key, occurrence + 1);
      const position = document.positionAt(site.anchor);
      return new vscode.CodeLens(new vscode.Range(position, position), {
        title: `DepthLab: ${site.key} ${keepsText(site)} · pick layers…`,
        command: 'depthlab.pickLayers',
        arguments: [document.uri, site.key, occurrence],
      });
    });
  }
}
