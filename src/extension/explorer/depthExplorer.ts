import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../../core/files/atomicWrite';
import { keptLayers } from '../../core/prune/keptLayers';
import { analysisHome } from '../../core/run/modelAnalysisFile';
import { modelLabel } from '../../core/files/hubCache';
import { pickerTarget, type LayerListRef, type PickerTarget } from '../../core/layerLists/pickerTarget';
import { latestComparison } from '../../core/compare/compareFile';
import { folderOfModelId, modelId, modelPickerTarget, modelSnapshot } from '../../core/report/modelSnapshot';
import { runById, runSnapshot, type RunSnapshot } from '../../core/run/runSnapshot';
import { isRequest, parsePageMessage, type HostToPage, type PageCommand, type PageRequest, type PageRequests, type RequestType } from '../../protocol/explorer';
import type { JobRunner } from '../jobs/jobRunner';
import { writeLayerList } from '../layerLists/writeLayerList';
import type { RunIndex } from '../runs/runIndex';
import { explorerHtml, newNonce } from './explorerHtml';
import { openReport } from './reportPanel';

/** Coalesces bursts (a step event per step, a file event per write) into one refresh. */
const REFRESH_MS = 300;

/**
 * The Depth Explorer's host side, shared by the side-bar view and the editor panel: which run is
 * shown, where "Write to config" writes, and the messages to and from the page.
 */
export class DepthExplorer implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'depthlab.explorer';
  private readonly webviews = new Set<vscode.Webview>();
  private readonly disposables: vscode.Disposable[] = [];
  private panel?: vscode.WebviewPanel;
  /** The chart the editor tab was opened to show large, sent once its page is ready. */
  private pendingFocus?: string;
  /** The config in focus and the run shown (one of its runs, when it has any). */
  private selected?: { configFile: string; runId?: string };
  /** A layer list in a fairseq or Hugging Face file; undefined: the config in focus. */
  private foreignTarget?: LayerListRef;
  private refreshTimer?: NodeJS.Timeout;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly runs: RunIndex,
    private readonly jobs: JobRunner,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      runs.onDidChange(() => this.scheduleRefresh()),
      vscode.workspace.onDidChangeTextDocument(({ document }) => {
        if (document.uri.fsPath === (this.foreignTarget?.file ?? this.selected?.configFile)) this.scheduleRefresh();
      }),
      jobs.onDidChangeJob((job) => this.post({ type: 'job', job })),
      jobs.onEvent(({ job, event }) => {
        if (event.type === 'run-start' && job.job === 'train') this.selected = { configFile: job.configFile, runId: event.runId };
        this.scheduleRefresh();
      }),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.attach(view.webview, view.onDidDispose);
  }

  /** Show the explorer for a config's newest run (or a given run), in the side bar or as an editor panel. */
  async show(options: { configFile?: string; runId?: string; inEditor?: boolean; focus?: string } = {}): Promise<void> {
    if (options.configFile) {
      this.selected = { configFile: options.configFile, runId: options.runId };
      this.foreignTarget = undefined;
    }
    if (options.focus && this.panel) void this.panel.webview.postMessage({ type: 'focus', chart: options.focus } satisfies HostToPage);
    else this.pendingFocus = options.focus;
    // A chart asked for large gets the whole editor area; the explorer itself opens beside the config.
    if (options.inEditor || options.focus) this.openPanel(options.focus ? vscode.ViewColumn.Active : vscode.ViewColumn.Beside);
    else await vscode.commands.executeCommand(`${DepthExplorer.viewId}.focus`);
    await this.refresh();
  }

  /** Show a Hugging Face model folder's analysis. */
  async showModel(folder: string): Promise<void> {
    await this.show({ configFile: `${folder}/config.json`, runId: modelId(folder) });
  }

  /** Open the layer picker on a list in a fairseq or Hugging Face file. */
  async pickFor(uri: vscode.Uri, key: string, occurrence: number): Promise<void> {
    const foreign = { file: uri.fsPath, key, occurrence };
    if (!pickerTarget(foreign, fileText(uri.fsPath))) {
      void vscode.window.showWarningMessage(`DepthLab: ${vscode.workspace.asRelativePath(uri)} does not say how many layers the model has; add --encoder-layers/--decoder-layers or num_hidden_layers.`);
      return;
    }
    this.foreignTarget = foreign;
    await this.show();
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }

  private openPanel(column: vscode.ViewColumn): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    this.panel = vscode.window.createWebviewPanel('depthlab.explorerPanel', 'Depth Explorer', column, {
      retainContextWhenHidden: false,
    });
    this.panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'depthlab.svg');
    this.panel.onDidDispose(() => (this.panel = undefined));
    this.attach(this.panel.webview, this.panel.onDidDispose);
  }

  private attach(webview: vscode.Webview, onDidDispose: vscode.Event<void>): void {
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    webview.options = { enableScripts: true, localResourceRoots: [dist, vscode.Uri.joinPath(this.extensionUri, 'media')] };
    webview.html = explorerHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'explorer.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'explorer.css')).toString(),
      nonce: newNonce(),
    });
    this.webviews.add(webview);
    const subscription = webview.onDidReceiveMessage((raw) => {
      const message = parsePageMessage(raw);
      if (!message) this.log.warn(`Depth Explorer: ignored a malformed message ${JSON.stringify(raw)?.slice(0, 200)}`);
      else if (isRequest(message)) void this.answer(webview, message);
      else void this.handle(message, webview);
    });
    onDidDispose(() => {
      this.webviews.delete(webview);
      subscription.dispose();
    });
  }

  private async handle(message: PageCommand, from: vscode.Webview): Promise<void> {
    try {
      switch (message.type) {
        case 'ready':
          await this.refresh();
          if (this.pendingFocus && from === this.panel?.webview) {
            void from.postMessage({ type: 'focus', chart: this.pendingFocus } satisfies HostToPage);
            this.pendingFocus = undefined;
          }
          return;
        case 'open-large':
          await this.show({ focus: message.chart });
          return;
        case 'open-report': {
          const source = message.of === 'comparison' ? this.selected && latestComparison(this.selected.configFile)?.file : (this.selectedModel() ?? this.selectedRunDir());
          if (!source) throw new Error(message.of === 'comparison' ? 'no comparison of this config yet' : 'no run selected');
          openReport(source, this.extensionUri);
          return;
        }
        case 'select-run': {
          const run = (await this.runs.list()).find((r) => r.id === message.runId);
          if (run) this.selected = { configFile: run.configFile, runId: run.id };
          this.foreignTarget = undefined;
          await this.refresh();
          return;
        }
        case 'train':
          await vscode.commands.executeCommand('depthlab.train', this.selectedConfigUri());
          return;
        case 'evaluate-all': {
          const model = this.selectedModel();
          if (model) await vscode.commands.executeCommand('depthlab.analyzeModel', vscode.Uri.file(model));
          else await vscode.commands.executeCommand('depthlab.evaluateAllDepths', this.selectedConfigUri(), this.selected?.runId);
          return;
        }
      }
    } catch (error) {
      const text = (error as Error).message;
      this.log.error(`Depth Explorer: ${text}`);
      this.post({ type: 'error', message: text });
    }
  }

  /** Every request gets exactly one reply with its id: the result, or why there is none. */
  private async answer(webview: vscode.Webview, request: PageRequest): Promise<void> {
    let reply: HostToPage;
    try {
      reply = { type: 'reply', id: request.id, ok: true, result: await this.resultOf(request) };
    } catch (error) {
      this.log.error(`Depth Explorer: ${(error as Error).message}`);
      reply = { type: 'reply', id: request.id, ok: false, error: (error as Error).message };
    }
    void webview.postMessage(reply);
  }

  private async resultOf(request: PageRequest): Promise<PageRequests[RequestType]['result']> {
    switch (request.type) {
      case 'evaluate-selection': {
        if (!this.selected?.runId) throw new Error('no run selected');
        const label = `Evaluate layers ${request.layers.join(',')}`;
        const folder = this.selectedModel();
        if (folder) {
          const { full, selected } = settled(label, await this.jobs.run({ job: 'evaluate-model', folder, layers: request.layers }, label));
          return { runId: modelId(folder), full, selected };
        }
        const result = settled(label, await this.jobs.run({ job: 'prune', configFile: this.selected.configFile, runId: this.selected.runId, layers: request.layers }, label));
        return { runId: result.runId, full: result.full, selected: result.pruned };
      }
      case 'heal-selection': {
        if (!this.selected?.runId || this.selectedModel()) throw new Error('select a trained run to heal');
        const label = `Heal layers ${request.layers.join(',')}`;
        const { runId, keep, steps, before, after } = settled(label, await this.jobs.run({ job: 'heal', configFile: this.selected.configFile, runId: this.selected.runId, layers: request.layers }, label));
        return { runId, keep, steps, before, after };
      }
      case 'write':
        return this.write(request.layers);
      case 'export-model': {
        const folder = this.selectedModel();
        if (!folder) throw new Error('no Hugging Face model selected');
        const label = `Export ${folder.split(/[\\/]/).pop()} with layers ${request.layers.join(',')}`;
        const result = settled(label, await this.jobs.run({ job: 'export-model', folder, layers: request.layers }, label));
        return { out: vscode.workspace.asRelativePath(result.out) };
      }
      case 'save-chart':
        return this.saveChart(request.name, request.png);
    }
  }

  /** A chart's PNG, saved where the user picks; by default beside the run (or in the model's .depthlab folder). */
  private async saveChart(name: string, png: string): Promise<PageRequests['save-chart']['result']> {
    const model = this.selectedModel();
    const run = this.selectedRunDir();
    const [dir, stem] = model ? [analysisHome(model), modelLabel(model).replace('/', '--')] : run ? [run, path.basename(run)] : [undefined, 'depthlab'];
    const target = await vscode.window.showSaveDialog({
      title: `Save the ${name} chart`,
      defaultUri: dir ? vscode.Uri.file(path.join(dir, `${stem}-${name}.png`)) : undefined,
      filters: { 'PNG image': ['png'] },
    });
    if (!target) return {};
    writeFileAtomic(target.fsPath, Buffer.from(png.slice(png.indexOf(',') + 1), 'base64'));
    return { file: vscode.workspace.asRelativePath(target) };
  }

  private async write(layers: number[]): Promise<PageRequests['write']['result']> {
    const target = this.target();
    if (!target) throw new Error('open a *.depthlab.json config first');
    const sorted = keptLayers(layers, target.layers);
    await writeLayerList(vscode.Uri.file(target.file), target.key, target.occurrence, sorted);
    this.log.info(`wrote ${target.key} [${sorted.join(',')}] to ${target.file}`);
    await this.refresh();
    return { file: vscode.workspace.asRelativePath(target.file), key: target.key, layers: sorted };
  }

  /** The model folder shown, when the selection is a Hugging Face model's analysis. */
  private selectedModel(): string | undefined {
    return this.selected?.runId && folderOfModelId(this.selected.runId);
  }

  private selectedRunDir(): string | undefined {
    return this.selected?.runId && !this.selectedModel() ? runById(this.selected.configFile, this.selected.runId).dir : undefined;
  }

  private selectedConfigUri(): vscode.Uri | undefined {
    return this.selected ? vscode.Uri.file(this.selected.configFile) : undefined;
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer || this.webviews.size === 0) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refresh();
    }, REFRESH_MS);
  }

  private async refresh(): Promise<void> {
    if (this.webviews.size === 0) return;
    const runs = await this.runs.list();
    if (!runs.some((r) => r.id === this.selected?.runId)) {
      // The config's newest run; with no config in focus, the workspace's newest run.
      const newest = this.selected ? runs.find((r) => r.configFile === this.selected!.configFile) : runs[0];
      this.selected = newest ? { configFile: newest.configFile, runId: newest.id } : this.selected && { configFile: this.selected.configFile };
    }
    this.post({ type: 'runs', runs, selected: this.selected?.runId });
    const snapshot = this.snapshot();
    if (snapshot) this.post({ type: 'snapshot', snapshot });
    this.post({ type: 'target', target: this.target() });
    this.post({ type: 'comparison', comparison: this.selected && !this.selectedModel() ? latestComparison(this.selected.configFile) : undefined });
    this.post({ type: 'job', job: this.jobs.active });
  }

  private snapshot(): RunSnapshot | undefined {
    if (!this.selected?.runId) return undefined;
    try {
      const model = this.selectedModel();
      return model ? modelSnapshot(model) : runSnapshot(runById(this.selected.configFile, this.selected.runId));
    } catch (error) {
      this.log.warn(`Depth Explorer: cannot read run ${this.selected.runId}: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** A picked fairseq or Hugging Face list, else `layersToKeep` of the config in focus; read from the file as it is now. */
  private target(): PickerTarget | undefined {
    const model = this.selectedModel();
    if (model && !this.foreignTarget) return modelPickerTarget(model);
    const list = this.foreignTarget ?? (this.selected && { file: this.selected.configFile, key: 'layersToKeep', occurrence: 0 });
    return list && pickerTarget(list, fileText(list.file));
  }

  private post(message: HostToPage): void {
    for (const webview of this.webviews) void webview.postMessage(message);
  }
}

/** A job's result, or the error a page request answers with when there is none. */
function settled<T>(label: string, result: T | undefined): T {
  if (!result) throw new Error(`${label}: no result (cancelled, failed or another job was running)`);
  return result;
}

/** A file's text as the editor has it (unsaved edits included), else as it is on disk. */
function fileText(file: string): string | undefined {
  const open = vscode.workspace.textDocuments.find((doc) => doc.uri.fsPath === file);
  return open?.getText() ?? (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);
}
