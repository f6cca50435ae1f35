import * as path from 'node:path';
import { parse } from 'jsonc-parser';
import * as vscode from 'vscode';
import { depthlabSites } from '../../core/layerLists/depthlabSites';
import { keepsText } from '../../core/layerLists/lensTitles';
import { liveRunText } from '../../core/report/liveRunText';
import type { JobRunner } from '../jobs/jobRunner';
import type { RunIndex } from '../runs/runIndex';

/**
 * Lenses on `*.depthlab.json`: train above `layerdrop`; explore and keep-every-other above
 * `layersToKeep` (or `model.layers`); on a config whose `model.pretrained` names a Hugging Face
 * model, explore that model.
 */
export class DepthlabCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  /** Per config file, what its running job is doing (the run record on disk lags until the job ends). */
  private readonly live = new Map<string, string>();
  private pending?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly runs: RunIndex,
    jobs: JobRunner,
  ) {
    runs.onDidChange(() => this.changed.fire());
    jobs.onEvent(({ job, event }) => {
      const text = job.configFile && liveRunText(event);
      if (!text || this.live.get(job.configFile!) === text) return;
      this.live.set(job.configFile!, text);
      this.fireSoon();
    });
    jobs.onDidSettleJob((job) => {
      if (this.live.delete(job.configFile)) this.changed.fire();
    });
  }

  /**
   * At most one change a second: the editor re-asks for lenses a moment after the last change it
   * hears of, so a change every step would postpone the refresh until training ends.
   */
  private fireSoon(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.changed.fire();
    }, 1000);
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const at = (offset: number) => new vscode.Range(document.positionAt(offset), document.positionAt(offset));
    const pretrained = (parse(document.getText()) as { model?: { pretrained?: unknown } } | undefined)?.model?.pretrained;
    if (typeof pretrained === 'string') {
      // A config that points at a Hugging Face model: it is analyzed and exported, not trained.
      const folder = vscode.Uri.file(path.resolve(path.dirname(document.uri.fsPath), pretrained));
      return [new vscode.CodeLens(at(0), { title: `DepthLab: Explore depth of ${pretrained}`, command: 'depthlab.analyzeModel', arguments: [folder] })];
    }
    const sites = depthlabSites(document.getText());
    const uri = document.uri;
    const lenses: vscode.CodeLens[] = [];
    if (sites.train !== undefined) {
      lenses.push(new vscode.CodeLens(at(sites.train), { title: '▶ Train with LayerDrop', command: 'depthlab.train', arguments: [uri] }));
    }
    const keep = at(sites.layersToKeep.anchor);
    lenses.push(
      new vscode.CodeLens(keep, { title: `Explore depth (${keepsText(sites.layersToKeep)})`, command: 'depthlab.openExplorer', arguments: [uri] }),
      new vscode.CodeLens(keep, { title: 'Keep every other layer', command: 'depthlab.keepEveryOther', arguments: [uri] }),
    );
    const latest = (await this.runs.of(uri.fsPath))[0];
    const live = this.live.get(uri.fsPath);
    // A first run has no record in the index until its files appear; its job speaks for it meanwhile.
    if (latest || live) {
      lenses.push(
        new vscode.CodeLens(keep, {
          title: live ? `run: ${live}` : `last run: ${latest!.status} ${latest!.step}/${latest!.steps}`,
          command: 'depthlab.openExplorer',
          arguments: latest ? [uri, latest.id] : [uri],
        }),
      );
    }
    return lenses;
  }
}
