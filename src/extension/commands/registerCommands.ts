import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadConfig, parseConfig } from '../../core/config/loadConfig';
import { PRUNE_STRATEGIES, TASKS, type PruneStrategy, type Task } from '../../core/config/choices';
import { configFileName } from '../../core/config/configFileName';
import { starterConfig } from '../../core/config/starterConfig';
import { depthlabSites } from '../../core/layerLists/depthlabSites';
import { everyOther } from '../../core/prune/everyOther';
import { recommendedRate } from '../../core/prune/recommendedRate';
import { targetDepth } from '../../core/prune/targetDepth';
import { qualityText } from '../../core/report/eventText';
import type { JobRunner } from '../jobs/jobRunner';
import { writeLayerList } from '../layerLists/writeLayerList';
import { guardedCommand, requireTrust, type CommandContext } from './guardedCommand';
import { registerModelCommands } from './modelCommands';
import { activeConfig, pickConfig } from './pickConfig';
import { measurementRequest, pickMeasurements } from './pickMeasurements';


export function registerCommands({ jobs, explorer, log }: CommandContext): vscode.Disposable[] {
  const register = guardedCommand(log);

  return [
    register('depthlab.newConfig', async () => {
      const task = await vscode.window.showQuickPick(
        TASKS.map((t) => ({ label: t, description: t === 'language-model' ? 'character LM on bundled Moby Dick' : 'ham vs spam on bundled SpamAssassin mail' })),
        { placeHolder: 'What will the model learn?', ignoreFocusOut: true },
      );
      if (!task) return;
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const target = await vscode.window.showSaveDialog({
        defaultUri: folder && vscode.Uri.joinPath(folder, 'model.depthlab.json'),
        // A single-extension filter: with 'depthlab.json' the simple dialog appends it again.
        filters: { 'DepthLab config': ['json'] },
        title: 'New DepthLab config',
      });
      if (!target) return;
      const file = target.with({ path: configFileName(target.path) });
      await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(starterConfig(task.label as Task)));
      await vscode.window.showTextDocument(file);
    }),

    register('depthlab.train', async (given?: vscode.Uri) => {
      if (!requireTrust('Train with LayerDrop')) return;
      const uri = await pickConfig(given);
      if (!uri) return;
      const result = await jobs.run({ job: 'train', configFile: uri.fsPath, analyze: true }, `Train ${path.basename(uri.fsPath)}`);
      if (!result) return;
      const keep = result.analysis ? `; keep ${result.analysis.keep.join(',')}` : '';
      const choice = await vscode.window.showInformationMessage(`DepthLab: run ${result.runId} ${result.status} at step ${result.step}${keep}.`, 'Open Depth Explorer');
      if (choice) await explorer.show({ configFile: uri.fsPath, runId: result.runId });
    }),

    register('depthlab.openExplorer', async (given?: vscode.Uri, runId?: string) => {
      const uri = given ?? activeConfig();
      await explorer.show({ configFile: uri?.fsPath, runId });
    }),

    register('depthlab.openExplorerInEditor', () => explorer.show({ inEditor: true })),

    register('depthlab.evaluateAllDepths', async (given?: vscode.Uri, runId?: string) => {
      if (!requireTrust('Evaluate All Depths')) return;
      const uri = await pickConfig(given);
      if (!uri) return;
      const more = await pickMeasurements(configuredTasks(uri.fsPath));
      if (more === null) return;
      const result = await jobs.run({ job: 'analyze', configFile: uri.fsPath, runId, ...measurementRequest(more) }, `Evaluate all depths of ${path.basename(uri.fsPath)}`);
      if (result) await explorer.show({ configFile: uri.fsPath, runId: result.runId });
    }),

    register('depthlab.compare', async (given?: vscode.Uri) => {
      if (!requireTrust('Compare With and Without LayerDrop')) return;
      const uri = await pickConfig(given);
      if (!uri) return;
      const result = await jobs.run({ job: 'compare', configFile: uri.fsPath }, `Compare ${path.basename(uri.fsPath)} with and without LayerDrop`);
      if (!result) return;
      for (const line of result.summary) log.info(line);
      await explorer.show({ configFile: uri.fsPath });
      void vscode.window.showInformationMessage(`DepthLab: ${result.summary[0] ?? 'comparison done'}`);
    }),

    register('depthlab.pruneToN', async (given?: vscode.Uri) => {
      if (!requireTrust('Prune to N Layers')) return;
      const uri = await pickConfig(given);
      if (!uri) return;
      const { config } = parseConfig(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), uri.fsPath);
      const layers = config.model.layers;
      const answer = await vscode.window.showInputBox({
        title: `Prune ${path.basename(uri.fsPath)}`,
        prompt: `Keep how many of the ${layers} layers? (the run trained with LayerDrop ${config.layerdrop.rate}; p* = 1 − r/N)`,
        value: String(targetDepth(layers, config.prune.targetLayers)),
        validateInput: (value) => (/^\d+$/.test(value) && +value >= 1 && +value <= layers ? undefined : `allowed: a whole number 1..${layers}`),
        ignoreFocusOut: true,
      });
      if (!answer) return;
      const target = Number(answer);
      const strategy = await vscode.window.showQuickPick(
        PRUNE_STRATEGIES.map((s) => ({ label: s, picked: s === config.prune.strategy, description: s === config.prune.strategy ? 'from the config' : undefined })),
        { placeHolder: `How to choose ${target} of ${layers} layers`, ignoreFocusOut: true },
      );
      if (!strategy) return;
      const result = await jobs.run(
        { job: 'prune', configFile: uri.fsPath, target, strategy: strategy.label as PruneStrategy },
        `Prune to ${target} layers (${strategy.label})`,
      );
      if (!result) return;
      const summary =
        `keep ${result.keep.join(',')}: loss ${result.pruned.loss.toFixed(4)} ${qualityText(result.pruned)} ` +
        `vs full ${result.full.loss.toFixed(4)} ${qualityText(result.full)}; p* = ${recommendedRate(layers, target).toFixed(2)}`;
      log.info(summary);
      const choice = await vscode.window.showInformationMessage(`DepthLab: ${summary}`, 'Write to config', 'Export Pruned Model');
      if (choice === 'Write to config') await writeLayerList(uri, 'layersToKeep', 0, result.keep);
      if (choice === 'Export Pruned Model') await exportPruned(jobs, uri, result.keep);
    }),

    register('depthlab.exportPruned', async (given?: vscode.Uri) => {
      if (!requireTrust('Export Pruned Model')) return;
      const uri = await pickConfig(given);
      if (uri) await exportPruned(jobs, uri);
    }),

    register('depthlab.keepEveryOther', async (given?: vscode.Uri) => {
      const uri = await pickConfig(given);
      if (!uri) return;
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const { config } = parseConfig(text, uri.fsPath);
      const layers = depthlabSites(text).layersToKeep.layers!;
      await writeLayerList(uri, 'layersToKeep', 0, everyOther(layers, targetDepth(layers, config.prune.targetLayers)));
    }),

    register('depthlab.pickLayers', (uri: vscode.Uri, key: string, occurrence: number) => explorer.pickFor(uri, key, occurrence)),

    register('depthlab.cancelJob', () => {
      if (!jobs.cancel()) void vscode.window.showInformationMessage('DepthLab: no job is running.');
    }),

    register('depthlab.showLog', () => log.show()),
    ...registerModelCommands({ jobs, explorer, log }),
  ];
}

async function exportPruned(jobs: JobRunner, uri: vscode.Uri, layers?: number[]): Promise<void> {
  const result = await jobs.run({ job: 'export', configFile: uri.fsPath, layers }, `Export ${path.basename(uri.fsPath)}`);
  if (!result) return;
  const choice = await vscode.window.showInformationMessage(
    `DepthLab: exported layers ${result.keep.join(',')} (renumbered 0..${result.keep.length - 1}) to ${vscode.workspace.asRelativePath(result.dir)}` +
      (result.huggingFaceFolder ? `, with a GPT-2 folder transformers loads (${path.basename(result.dir)}/huggingface).` : '.'),
    'Reveal in Explorer',
  );
  if (choice) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(result.checkpoint));
}

/** The config's own tasks, for the task picker to mention; none when the config does not load (the job then says why). */
function configuredTasks(file: string): string[] {
  try {
    return loadConfig(file).config.tasks ?? [];
  } catch {
    return [];
  }
}
