/**
 * `depthlab report`'s page: the Depth Explorer's charts and the CLI's tables for one run, model
 * analysis or comparison, drawn from the data inlined in the page. Nothing is fetched.
 */
import type { ReportData } from '../../src/core/report/reportData';
import type { RunSnapshot } from '../../src/core/run/runSnapshot';
import { angularHeatMap } from '../angularHeatMap';
import { estimateNote } from '../../src/core/report/estimateNote';
import { ChartSlot } from '../charts/chartSlot';
import { compareChart, comparedStrategies, dropChart, importanceChart, lossChart, METRIC_LABELS, partsChart, sweepChart } from '../charts/runCharts';
import { hint, section, sublayerHints, sweepHints } from '../sections';

const data = JSON.parse(document.getElementById('report-data')!.textContent!) as ReportData;
// Charts read the theme kind from the body's class, as in VS Code.
document.body.classList.add(matchMedia('(prefers-color-scheme: dark)').matches ? 'vscode-dark' : 'vscode-light');
const app = document.getElementById('app')!;

const heading = document.createElement('h1');
heading.textContent = data.title;
app.append(heading, hint(data.subtitle));
if (data.headline.length > 0) {
  const answer = document.createElement('div');
  answer.className = 'headline';
  for (const line of data.headline) answer.appendChild(Object.assign(document.createElement('p'), { textContent: line }));
  app.appendChild(answer);
}
if (data.missing) {
  const missing = hint(data.missing);
  missing.className = 'notice';
  app.appendChild(missing);
}
if (data.snapshot) runSections(data.snapshot);
if (data.comparison) {
  for (const strategy of comparedStrategies(data.comparison)) {
    app.appendChild(chartSection(`Compare: ${strategy}`, 'validation loss at every depth, no finetuning; ± one standard error', `compare-${strategy}`, compareChart(data.comparison, strategy)));
  }
  const summary = section('What the numbers say');
  for (const line of data.comparison.summary) summary.appendChild(hint(line));
  app.appendChild(summary);
}
if (data.tables) {
  const tables = section('Tables', 'as depthlab prints them');
  const pre = document.createElement('pre');
  pre.textContent = data.tables;
  tables.appendChild(pre);
  app.appendChild(tables);
}

function runSections(run: RunSnapshot): void {
  if (run.kind === 'run') {
    app.appendChild(chartSection('Loss', `${run.status} · step ${run.step}/${run.steps} · ${run.backend}${run.device ? ` on ${run.device}` : ''}`, 'loss', lossChart(run)));
    app.appendChild(chartSection('LayerDrop per layer', `configured p against how often each layer was skipped (p = ${run.layerdropRate})`, 'drop-rates', dropChart(run)));
  }
  const kept = new Set(run.sweep?.keep ?? []);
  const importance = importanceChart(run, 'loss-increase', kept);
  if (importance) {
    const estimates = estimateNote(run.importance!.layers);
    const element = chartSection('Importance per layer', `${METRIC_LABELS['loss-increase']} ± its paired error; the chosen layers in colour${estimates ? `; hollow bars: ${estimates}` : ''}`, 'importance', importance);
    if (run.kind === 'run') element.appendChild(layerTable(run));
    app.appendChild(element);
  }
  const parts = partsChart(run);
  if (parts) {
    const element = chartSection('Attention or MLP', "each layer's attention and MLP removed alone: loss increase ± paired error", 'parts', parts);
    element.append(...sublayerHints(run));
    app.appendChild(element);
  }
  const sweep = sweepChart(run);
  if (sweep) {
    const element = chartSection('Depth sweep', 'every depth without finetuning', 'depth-sweep', sweep);
    element.append(...sweepHints(run));
    app.appendChild(element);
  }
  if (run.angularDistance) {
    const element = section('Angular distance', 'arccos(cos)/π between the stream entering layer l and the one n layers later (Gromov et al.); outlined: the block contiguous-block drops');
    element.appendChild(angularHeatMap(run.angularDistance));
    app.appendChild(element);
  }
}

function chartSection(title: string, subtitle: string, name: string, config: Parameters<ChartSlot['set']>[0]): HTMLElement {
  const element = section(title, subtitle);
  const slot = new ChartSlot(title, name);
  element.appendChild(slot.element);
  slot.set(config);
  return element;
}

/** A trained run's per-layer statistics, with the loss increase's error. */
function layerTable(run: RunSnapshot): HTMLElement {
  const table = document.createElement('table');
  table.className = 'numbers';
  const head = table.createTHead().insertRow();
  for (const title of ['layer', 'loss increase', 'Block Influence', 'weight L1', 'drop rate', 'grad norm']) head.appendChild(Object.assign(document.createElement('th'), { textContent: title }));
  const body = table.createTBody();
  for (const layer of run.importance!.layers) {
    const row = body.insertRow();
    const increase = layer.lossIncrease === undefined ? '—' : `${layer.lossIncrease.toFixed(4)}${layer.lossIncreaseStdErr ? ` ± ${layer.lossIncreaseStdErr.toFixed(4)}` : ''}`;
    for (const text of [`L${layer.layer}`, increase, layer.blockInfluence.toFixed(4), layer.weightL1.toFixed(1), layer.empiricalRate.toFixed(3), layer.meanGradNorm.toFixed(4)]) row.insertCell().textContent = text;
  }
  return table;
}
