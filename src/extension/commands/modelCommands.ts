import * as path from 'node:path';
import * as vscode from 'vscode';
import { readModelAnalysis } from '../../core/run/modelAnalysisFile';
import { parseLayerList } from '../../core/layerLists/layerListSite';
import { guardedCommand, requireTrust, type CommandContext } from './guardedCommand';
import { pickModelFolder } from './pickModel';
import { analysisBudget } from '../../core/config/analysisBudget';
import { measurementRequest, pickMeasurements } from './pickMeasurements';

/** Commands on Hugging Face model folders: analyze one on text, export a pruned copy. */
export function registerModelCommands({ jobs, explorer, log }: CommandContext): vscode.Disposable[] {
  const register = guardedCommand(log);
  return [
    register('depthlab.analyzeModel', async (given?: vscode.Uri) => {
      if (!requireTrust('Explore Depth of a Model')) return;
      const folder = await pickModelFolder(given);
      if (!folder) return;
      const dataFile = await pickText();
      if (dataFile === null) return;
      const more = await pickMeasurements();
      if (more === null) return;
      const result = await jobs.run({ job: 'analyze-model', folder, dataFile, ...measurementRequest(more), ...analysisBudget(vscode.workspace.getConfiguration('depthlab').get<string>('analysisBudget', '5m')) }, `Analyze ${path.basename(folder)}`);
      if (result) await explorer.showModel(folder);
    }),

    register('depthlab.openModelAnalysis', (uri: vscode.Uri) => explorer.showModel(uri.fsPath)),

    register('depthlab.exportModel', async (given?: vscode.Uri, layers?: number[]) => {
      if (!requireTrust('Export Pruned Model')) return;
      const folder = await pickModelFolder(given);
      if (!folder) return;
      await exportModel(folder, layers ?? (await askLayers(folder)));
    }),
  ];

  async function exportModel(folder: string, layers: number[] | undefined): Promise<void> {
    if (!layers) return;
    const result = await jobs.run({ job: 'export-model', folder, layers }, `Export ${path.basename(folder)} with layers ${layers.join(',')}`);
    if (!result) return;
    const ppl = (x: { perplexity?: number }) => x.perplexity?.toFixed(2);
    const choice = await vscode.window.showInformationMessage(
      `DepthLab: exported ${result.keep.length} of ${result.layers} layers to ${vscode.workspace.asRelativePath(result.out)} (perplexity ${ppl(result.before)} → ${ppl(result.after)}).`,
      'Reveal in Explorer',
    );
    if (choice) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(path.join(result.out, 'config.json')));
  }
}

/** The text to measure on: the bundled Moby Dick, or a file the user picks; null when they dismiss the choice. */
async function pickText(): Promise<string | undefined | null> {
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'Moby Dick (bundled)', description: 'about 1.2 MB of English text' },
      { label: 'Choose a text file…', description: 'UTF-8 text the model should be measured on' },
    ],
    { placeHolder: 'Measure the model on which text?', ignoreFocusOut: true },
  );
  if (!choice) return null;
  if (choice.label.startsWith('Moby')) return undefined;
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Measure on this text' });
  return picked?.[0]?.fsPath ?? null;
}

/** The layers to keep, prefilled with the saved analysis's choice. */
async function askLayers(folder: string): Promise<number[] | undefined> {
  const analysis = readModelAnalysis(folder);
  const answer = await vscode.window.showInputBox({
    title: `Export a pruned copy of ${path.basename(folder)}`,
    prompt: analysis ? `Layers to keep of ${analysis.layers} (the analysis chose these by ${analysis.strategy})` : 'Layers to keep, e.g. 0,2,4',
    value: analysis?.keep.join(','),
    validateInput: (value) => (parseLayerList(value) ? undefined : 'allowed: comma-separated layer indices, e.g. 0,2,4'),
    ignoreFocusOut: true,
  });
  return answer ? parseLayerList(answer) : undefined;
}

