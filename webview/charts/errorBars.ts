import type { Chart, Plugin } from 'chart.js';

/** A line dataset that carries a ± error for each point (null or 0: none). */
export interface WithErrors {
  errors?: Array<number | null>;
}

const CAP = 3;

/**
 * ±1 standard-error whiskers on every point of the datasets that carry `errors`, in the
 * dataset's colour, drawn after the lines (Chart.js has no error bars of its own).
 */
export const errorBars: Plugin = {
  id: 'depthlabErrorBars',
  afterDatasetsDraw(chart: Chart) {
    const { ctx } = chart;
    chart.data.datasets.forEach((dataset, i) => {
      const errors = (dataset as WithErrors).errors;
      const meta = chart.getDatasetMeta(i);
      const scale = meta.yAxisID ? chart.scales[meta.yAxisID] : undefined;
      if (!errors || !scale || !chart.isDatasetVisible(i)) return;
      ctx.save();
      ctx.strokeStyle = String(dataset.borderColor);
      ctx.lineWidth = 1;
      meta.data.forEach((point, j) => {
        const value = dataset.data[j];
        const error = errors[j];
        if (typeof value !== 'number' || !error) return;
        const top = scale.getPixelForValue(value + error);
        const bottom = scale.getPixelForValue(value - error);
        ctx.beginPath();
        ctx.moveTo(point.x, top);
        ctx.lineTo(point.x, bottom);
        ctx.moveTo(point.x - CAP, top);
        ctx.lineTo(point.x + CAP, top);
        ctx.moveTo(point.x - CAP, bottom);
        ctx.lineTo(point.x + CAP, bottom);
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};
