import { IMPORTANCE_METRICS, type ImportanceMetric } from '../src/core/config/choices';
import type { Comparison } from '../src/core/compare/compareSummary';
import type { PickerTarget } from '../src/core/layerLists/pickerTarget';
import type { RunListEntry, RunSnapshot } from '../src/core/run/runSnapshot';
import type { ActiveJob, HostToPage, PageRequests } from '../src/protocol/explorer';
import { angularHeatMap } from './angularHeatMap';
import { ChartSlot } from './charts/chartSlot';
import { compareChart, comparedStrategies, dropChart, importanceChart, lossChart, METRIC_LABELS, partsChart, sweepChart } from './charts/runCharts';
import { measuredMetrics } from '../src/core/statistics/importanceScores';
import { marginText } from '../src/core/prune/choiceMargin';
import { onThemeChange } from './charts/theme';
import { layerPicker, metricChoice } from './layerPicker';
import { hint, section, sublayerHints, sweepHints } from './sections';
import { button, dropdown, progressRing } from './toolkit';
import { loadState, post, request, saveState, settle } from './vscodeApi';

interface Page {
  runs: RunListEntry[];
  selected?: string;
  snapshot?: RunSnapshot;
  target?: PickerTarget;
  job?: ActiveJob;
  comparison?: Comparison;
  result?: PageRequests['evaluate-selection']['result'];
  notice?: { text: string; error: boolean };
  metric: ImportanceMetric;
  /** The strategy the compare chart draws. */
  compareStrategy: string;
  kept: ReadonlySet<number>;
  /** A chart to scroll to once drawn (the editor tab opened to show it large). */
  focus?: string;
}

const stored = loadState().metric as ImportanceMetric | undefined;
const page: Page = { runs: [], metric: stored && IMPORTANCE_METRICS.includes(stored) ? stored : 'loss-increase', compareStrategy: 'every-other', kept: new Set() };
const slot = (label: string, name: string) =>
  new ChartSlot(label, name, {
    enlarge: () => post({ type: 'open-large', chart: name }),
    save: (png) => void ask(request('save-chart', { name, png }).then(({ file }) => file && (page.notice = { text: `Saved the ${label} chart to ${file}.`, error: false }))),
  });
const charts = {
  compare: slot('compare with and without LayerDrop', 'compare'),
  loss: slot('loss curves', 'loss'),
  drops: slot('drop rate per layer', 'drop-rates'),
  importance: slot('importance per layer', 'importance'),
  sweep: slot('depth sweep', 'depth-sweep'),
  parts: slot('attention or MLP', 'parts'),
};
const app = document.getElementById('app')!;
let pickerElement: HTMLElement | undefined;
let pickerKey = '';

window.addEventListener('message', (event: MessageEvent<HostToPage>) => {
  const message = event.data;
  switch (message.type) {
    case 'runs':
      page.runs = message.runs;
      page.selected = message.selected;
      break;
    case 'snapshot':
      // A result or notice speaks of the run it came from.
      if (page.snapshot?.id !== message.snapshot.id) page.result = page.notice = undefined;
      page.snapshot = message.snapshot;
      saveState({ runId: message.snapshot.id });
      break;
    case 'target':
      page.target = message.target;
      break;
    case 'job':
      page.job = message.job;
      break;
    case 'comparison':
      page.comparison = message.comparison;
      break;
    case 'reply':
      settle(message);
      return;
    case 'error':
      page.notice = { text: message.message, error: true };
      break;
    case 'focus':
      page.focus = message.chart;
      break;
  }
  render();
});

onThemeChange(() => {
  Object.values(charts).forEach((chart) => chart.reset());
  pickerKey = '';
  render();
});

function render(): void {
  const run = page.snapshot && page.snapshot.id === page.selected ? page.snapshot : undefined;
  app.replaceChildren(header(run));
  if (page.notice) app.appendChild(notice(page.notice));
  if (run?.kind === 'model') app.append(importanceSection(run), ...partsSection(run), sweepSection(run));
  else if (run) {
    const lossSection = section('Loss', `${run.status} · step ${run.step}/${run.steps} · ${run.backend}${run.device ? ` on ${run.device}` : ''}`);
    charts.loss.set(lossChart(run));
    lossSection.appendChild(charts.loss.element);

    const dropSection = section('LayerDrop per layer', `configured p against how often each layer was skipped (p = ${run.layerdropRate})`);
    charts.drops.set(dropChart(run));
    dropSection.appendChild(charts.drops.element);

    app.append(lossSection, dropSection, importanceSection(run), ...partsSection(run), sweepSection(run));
  }
  if (run?.angularDistance) app.appendChild(angularSection(run.angularDistance));
  if (page.comparison && run?.kind !== 'model') app.appendChild(compareSection(page.comparison));
  if (page.target) app.appendChild(picker(run, page.target));
  const focused = page.focus && app.querySelector(`[data-chart="${page.focus}"]`);
  if (focused) {
    (focused.closest('section') ?? focused).scrollIntoView({ block: 'start' });
    page.focus = undefined;
  }
}

function angularSection(distances: number[][]): HTMLElement {
  const element = section('Angular distance', 'arccos(cos)/π between the stream entering layer l and the one n layers later (Gromov et al.); outlined: the block contiguous-block drops');
  element.appendChild(angularHeatMap(distances));
  return element;
}

function compareSection(comparison: Comparison): HTMLElement {
  const element = section('Compare', `${comparison.models.length} models, ${comparison.steps} steps each, same data and seed (DepthLab: Compare With and Without LayerDrop)`);
  const strategies = comparedStrategies(comparison);
  const strategy = strategies.includes(page.compareStrategy) ? page.compareStrategy : strategies[0];
  const choice = dropdown(
    strategies.map((s) => ({ value: s, label: `${s} at every depth` })),
    strategy,
    (value) => {
      page.compareStrategy = value;
      render();
    },
  );
  choice.title = 'The strategy whose layers each depth keeps';
  charts.compare.set(compareChart(comparison, strategy));
  element.append(choice, charts.compare.element);
  for (const line of comparison.summary) element.appendChild(hint(line));
  element.appendChild(button('Open Report', () => post({ type: 'open-report', of: 'comparison' }), { secondary: true, title: 'Every strategy of this comparison, with its tables, in one HTML page (depthlab report)' }));
  return element;
}

function header(run: RunSnapshot | undefined): HTMLElement {
  const element = document.createElement('header');
  if (page.runs.length === 0) {
    const hint = document.createElement('p');
    hint.textContent =
      'No runs yet. Open a *.depthlab.json and use "▶ Train with LayerDrop", or run "DepthLab: Train with LayerDrop"; for a Hugging Face model, "DepthLab: Explore Depth of a Model".';
    element.appendChild(hint);
  } else {
    const choice = dropdown(
      page.runs.map((r) => ({ value: r.id, label: r.kind === 'model' ? `${r.label} · ${r.status}` : `${r.id} · ${r.label} · ${r.status}` })),
      page.selected,
      (runId) => post({ type: 'select-run', runId }),
    );
    choice.id = 'run-select';
    choice.title = 'Runs under .depthlab/runs/, and analysed Hugging Face models';
    element.appendChild(choice);
  }
  const actions = document.createElement('div');
  actions.className = 'row';
  const model = run?.kind === 'model';
  const sweep = model
    ? button('Analyze Again', () => post({ type: 'evaluate-all' }), { secondary: true, title: 'Measure every layer of the model again, on a text you choose' })
    : button('Evaluate All Depths', () => post({ type: 'evaluate-all' }), { secondary: true, title: 'Per-layer importance and a sweep over every depth' });
  sweep.disabled = Boolean(page.job) || !run || run.status === 'running';
  if (!model) {
    const train = button('Train', () => post({ type: 'train' }), { title: 'DepthLab: Train with LayerDrop' });
    train.disabled = Boolean(page.job);
    actions.append(train);
  }
  actions.append(sweep);
  if (run) {
    const report = button('Open Report', () => post({ type: 'open-report', of: 'run' }), { secondary: true, title: 'The charts and tables of this run in one HTML page that needs nothing else (depthlab report)' });
    report.disabled = run.status === 'running';
    actions.append(report);
  }
  if (page.job) {
    const busy = document.createElement('span');
    busy.className = 'busy';
    busy.append(progressRing(), document.createTextNode(page.job.device ? `${page.job.label} · ${page.job.backend} on ${page.job.device}` : page.job.label));
    if (page.job.progress) busy.append(document.createTextNode(` · ${page.job.progress}`));
    actions.appendChild(busy);
    if (page.job.budget) actions.appendChild(hint(page.job.budget));
  }
  element.appendChild(actions);
  return element;
}

/** The chosen metric, or loss increase where this model has no values for it (learned-rate without learned rates). */
function shownMetric(run: RunSnapshot): ImportanceMetric {
  return !run.importance || measuredMetrics(run.importance.layers).includes(page.metric) ? page.metric : 'loss-increase';
}

function importanceSection(run: RunSnapshot): HTMLElement {
  const element = section('Importance per layer', run.precision);
  const config = importanceChart(run, shownMetric(run), page.kept);
  if (!config) {
    element.appendChild(hint('Not measured yet: "Evaluate All Depths" measures loss increase, Block Influence and weight norms.'));
    return element;
  }
  element.appendChild(
    metricChoice(shownMetric(run), measuredMetrics(run.importance!.layers), (metric) => {
      page.metric = metric;
      saveState({ metric });
      pickerKey = '';
      render();
    }),
  );
  charts.importance.set(config);
  element.appendChild(charts.importance.element);
  element.appendChild(hint(`${METRIC_LABELS[shownMetric(run)]}; checked layers in colour. Full-model valid loss ${run.importance!.fullLoss.toFixed(4)}.`));
  return element;
}

/** With --sublayers: attention and MLP removed alone, a split bar per layer, and the search's outcome. */
function partsSection(run: RunSnapshot): HTMLElement[] {
  const config = partsChart(run);
  if (!config) return [];
  const element = section('Attention or MLP', "each layer's attention and MLP removed alone: loss increase ± paired error");
  charts.parts.set(config);
  element.append(charts.parts.element, ...sublayerHints(run));
  return [element];
}

function sweepSection(run: RunSnapshot): HTMLElement {
  const element = section('Depth sweep', 'every depth without finetuning');
  const config = sweepChart(run);
  if (!config) {
    element.appendChild(hint('Not measured yet: "Evaluate All Depths" evaluates every depth N…1.'));
    return element;
  }
  charts.sweep.set(config);
  element.appendChild(charts.sweep.element);
  const { strategy, target, keep, margin } = run.sweep!;
  element.append(...sweepHints(run));
  if (margin) element.appendChild(hint(`${strategy} at ${target}: ${keep.join(',')}; ${marginText(margin)}.`));
  return element;
}

/** Rebuilt only when what it shows changes, so live training updates do not reset a click in progress. */
function picker(run: RunSnapshot | undefined, target: PickerTarget): HTMLElement {
  const key = JSON.stringify([target, run?.id, run?.status, Boolean(run?.importance), Boolean(run?.sweep), Boolean(page.job), page.metric, page.result?.selected.layers]);
  if (key !== pickerKey || !pickerElement) {
    pickerKey = key;
    const result = page.result && run && page.result.runId === run.id ? page.result : undefined;
    pickerElement = layerPicker({
      target,
      run,
      metric: run ? shownMetric(run) : page.metric,
      busy: Boolean(page.job),
      result,
      onChange: (kept) => {
        page.kept = new Set(kept);
        const config = run && importanceChart(run, shownMetric(run), page.kept);
        if (config) charts.importance.set(config);
      },
      onEvaluate: (layers) => void ask(request('evaluate-selection', { layers }).then((result) => (page.result = result))),
      onHeal: run?.kind === 'run' ? (layers) => void ask(request('heal-selection', { layers }).then((healed) => (page.notice = { text: healedText(healed), error: false }))) : undefined,
      commit:
        run?.kind === 'model'
          ? {
              label: 'Export Pruned Model',
              title: 'Write a Hugging Face folder with exactly the checked layers, renumbered, beside the model',
              run: (layers) => void ask(request('export-model', { layers }).then(({ out }) => (page.notice = { text: `Exported layers ${layers.join(', ')} to ${out}.`, error: false }))),
            }
          : {
              label: `Write to ${target.file.split(/[\\/]/).pop()}`,
              title: `Set ${target.key} in ${target.file} (undoable; comments and formatting kept)`,
              run: (layers) =>
                void ask(request('write', { layers }).then(({ key, layers: written, file }) => (page.notice = { text: `Wrote ${key} [${written.join(', ')}] to ${file}.`, error: false }))),
            },
    });
  }
  return pickerElement;
}

function healedText({ keep, steps, before, after }: PageRequests['heal-selection']['result']): string {
  const change = after.loss - before.loss;
  return `Healed layers ${keep.join(', ')} for ${steps} steps: loss ${before.loss.toFixed(4)} → ${after.loss.toFixed(4)} (${change >= 0 ? '+' : ''}${change.toFixed(4)}).`;
}

/** A request's outcome is rendered when it settles; a failure shows as the page's notice. */
function ask(reply: Promise<unknown>): Promise<void> {
  return reply.catch((error: Error) => (page.notice = { text: error.message, error: true })).then(render);
}


function notice({ text, error }: { text: string; error: boolean }): HTMLElement {
  const element = document.createElement('p');
  element.className = error ? 'notice error' : 'notice';
  element.setAttribute('role', error ? 'alert' : 'status');
  element.textContent = text;
  return element;
}

post({ type: 'ready' });
