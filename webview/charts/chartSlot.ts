import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { errorBars } from './errorBars';
import { legendRows } from './legendRows';
import { chartTheme } from './theme';

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, errorBars);

/** A legend past this many rows folds away: the tooltip names every line at the point hovered. */
const MAX_LEGEND_ROWS = 3;
const LEGEND_ROW_PX = 16;

/** What a chart's toolbar offers; the report page, outside VS Code, offers nothing. */
export interface ChartActions {
  /** Open the chart large, in the editor-tab explorer. */
  enlarge?: () => void;
  /** Save the chart as this PNG (a data URL, on the theme's background). */
  save?: (png: string) => void;
}

/**
 * A canvas with one chart that is updated in place (no flicker, no lost tooltip) when its data
 * changes. Its height is the plot's (CSS `--plot-height`) plus what the legend needs at the
 * current width; a legend too long for the width folds into the tooltip.
 */
export class ChartSlot {
  readonly element = document.createElement('div');
  private readonly canvas = document.createElement('canvas');
  private readonly box = document.createElement('div');
  private chart?: Chart;
  private config?: ChartConfiguration;

  constructor(
    private readonly label: string,
    name: string,
    actions: ChartActions = {},
  ) {
    this.element.className = 'chart-slot';
    this.element.dataset.chart = name;
    this.box.className = 'chart';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', label);
    this.box.appendChild(this.canvas);
    const toolbar = document.createElement('div');
    toolbar.className = 'chart-actions';
    if (actions.enlarge) toolbar.appendChild(iconButton('⤢', `Open ${label} large in an editor tab`, actions.enlarge));
    if (actions.save) toolbar.appendChild(iconButton('PNG', `Save ${label} as PNG`, () => actions.save!(this.png())));
    this.element.append(toolbar, this.box);
    new ResizeObserver(() => this.fit()).observe(this.element);
  }

  set(config: ChartConfiguration): void {
    const theme = chartTheme();
    Chart.defaults.color = theme.foreground;
    Chart.defaults.borderColor = theme.grid;
    Chart.defaults.font.family = theme.font;
    this.config = config;
    const options = this.withLegendFitted(config);
    if (this.chart && (this.chart.config as ChartConfiguration).type === config.type) {
      this.chart.data = config.data;
      this.chart.options = options;
      this.chart.update('none');
      return;
    }
    this.chart?.destroy();
    this.chart = new Chart(this.canvas, { ...config, options });
  }

  /** Rebuild with the current theme's colours. */
  reset(): void {
    this.chart?.destroy();
    this.chart = undefined;
  }

  /** The legend's rows at this width set the height; past MAX_LEGEND_ROWS it is hidden. */
  private withLegendFitted(config: ChartConfiguration): NonNullable<ChartConfiguration['options']> {
    const options = { maintainAspectRatio: false, animation: false as const, ...config.options };
    const legend = options.plugins?.legend;
    const labels = legend?.display === false ? [] : config.data.datasets.map((d) => d.label ?? '');
    const rows = legendRows(labels, this.element.clientWidth || 300);
    const folded = rows > MAX_LEGEND_ROWS;
    this.box.style.setProperty('--legend-height', `${folded ? 0 : rows * LEGEND_ROW_PX}px`);
    this.element.title = folded ? `${this.label}: hover a point to see every line's name` : '';
    return folded ? { ...options, plugins: { ...options.plugins, legend: { ...legend, display: false } } } : options;
  }

  private fit(): void {
    if (this.chart && this.config) {
      this.chart.options = this.withLegendFitted(this.config);
      this.chart.update('none');
    }
  }

  /** The chart as it looks, on the page's background (a transparent PNG reads badly elsewhere). */
  private png(): string {
    const copy = document.createElement('canvas');
    copy.width = this.canvas.width;
    copy.height = this.canvas.height;
    const context = copy.getContext('2d')!;
    context.fillStyle = pageBackground();
    context.fillRect(0, 0, copy.width, copy.height);
    context.drawImage(this.canvas, 0, 0);
    return copy.toDataURL('image/png');
  }
}

function iconButton(text: string, title: string, onClick: () => void): HTMLButtonElement {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = 'icon';
  element.textContent = text;
  element.title = title;
  element.setAttribute('aria-label', title);
  element.addEventListener('click', onClick);
  return element;
}

/** The colour behind the page: VS Code paints it from a theme variable, the report from its body. */
function pageBackground(): string {
  const style = getComputedStyle(document.body);
  const painted = style.backgroundColor;
  if (painted && painted !== 'transparent' && painted !== 'rgba(0, 0, 0, 0)') return painted;
  return style.getPropertyValue('--vscode-sideBar-background').trim() || style.getPropertyValue('--vscode-editor-background').trim() || '#ffffff';
}
