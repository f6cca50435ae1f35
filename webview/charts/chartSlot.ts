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
import { chartTheme } from './theme';

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, errorBars);

/** A canvas with one chart that is updated in place (no flicker, no lost tooltip) when its data changes. */
export class ChartSlot {
  readonly element = document.createElement('div');
  private readonly canvas = document.createElement('canvas');
  private chart?: Chart;

  constructor(label: string) {
    this.element.className = 'chart';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', label);
    this.element.appendChild(this.canvas);
  }

  set(config: ChartConfiguration): void {
    const theme = chartTheme();
    Chart.defaults.color = theme.foreground;
    Chart.defaults.borderColor = theme.grid;
    Chart.defaults.font.family = theme.font;
    if (this.chart && (this.chart.config as ChartConfiguration).type === config.type) {
      this.chart.data = config.data;
      this.chart.options = config.options ?? {};
      this.chart.update('none');
      return;
    }
    this.chart?.destroy();
    this.chart = new Chart(this.canvas, { ...config, options: { maintainAspectRatio: false, animation: false, ...config.options } });
  }

  /** Rebuild with the current theme's colours. */
  reset(): void {
    this.chart?.destroy();
    this.chart = undefined;
  }
}
