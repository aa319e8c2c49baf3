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
} from 'chart.js';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  LinearScale,
  CategoryScale,
  Legend,
  Tooltip,
);

/** Colours that read on light and dark backgrounds alike (Okabe–Ito, safe for colour-blind readers). */
export const SERIES_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#999999'];

export function seriesColour(index: number): string {
  return SERIES_COLOURS[index % SERIES_COLOURS.length] ?? '#0072B2';
}

/** Axis and grid colours from the page's CSS variables, so charts follow the theme (state/theme.svelte.ts). */
export function themeColours(): { text: string; grid: string } {
  const style = getComputedStyle(document.documentElement);
  return {
    text: style.getPropertyValue('--text-muted').trim() || '#555',
    grid: style.getPropertyValue('--grid').trim() || '#ddd',
  };
}

export { Chart };

/** What a bar dataset may carry for {@link barAnnotations}: ± error per bar and whether to print values. */
export interface BarAnnotationOptions {
  /** Half-length of each bar's error bar, in the axis' units (a standard deviation over seeds). */
  errors?: (number | null)[];
  /** Prints each bar's value above it (with ±error when there is one). */
  valueLabels?: boolean;
  /** Formats a value label. */
  format?: (value: number, error: number | null) => string;
}

/**
 * Error bars and value labels on bar charts, drawn after the bars: Chart.js has neither built in, and the
 * results need both (a 2-point gap must be readable, and seed noise visible).
 */
export const barAnnotations = {
  id: 'barAnnotations',
  afterDatasetsDraw(chart: Chart) {
    const { ctx } = chart;
    const y = chart.scales.y;
    if (!y) return;
    // Read once per draw: getComputedStyle is not free, and every bar uses the same colour.
    const { text } = themeColours();
    chart.data.datasets.forEach((dataset, d) => {
      const options = dataset as unknown as BarAnnotationOptions;
      const meta = chart.getDatasetMeta(d);
      if (meta.hidden || (!options.errors && !options.valueLabels)) return;
      meta.data.forEach((bar, i) => {
        const value = dataset.data[i];
        if (typeof value !== 'number') return;
        const error = options.errors?.[i] ?? null;
        const { x } = bar.getProps(['x'], true) as { x: number };
        ctx.save();
        ctx.strokeStyle = text;
        ctx.fillStyle = text;
        let top = y.getPixelForValue(value);
        if (error !== null && error > 0) {
          const high = y.getPixelForValue(value + error);
          const low = y.getPixelForValue(value - error);
          ctx.beginPath();
          ctx.moveTo(x, low);
          ctx.lineTo(x, high);
          ctx.moveTo(x - 4, high);
          ctx.lineTo(x + 4, high);
          ctx.moveTo(x - 4, low);
          ctx.lineTo(x + 4, low);
          ctx.stroke();
          top = Math.min(top, high);
        }
        if (options.valueLabels) {
          ctx.font = '11px system-ui, sans-serif';
          ctx.textAlign = 'center';
          ctx.textBaseline = 'bottom';
          ctx.fillText(options.format ? options.format(value, error) : value.toFixed(1), x, top - 2);
        }
        ctx.restore();
      });
    });
  },
};

Chart.register(barAnnotations);

/**
 * An axis range that starts near the smallest value instead of 0, so that differences of a few points are
 * visible, with room above for value labels; percent axes stay within 0..100.
 */
export function fittedRange(values: number[], percent: boolean): { min: number; max: number } | null {
  if (values.length === 0) return null;
  const low = Math.min(...values);
  const high = Math.max(...values);
  const pad = Math.max((high - low) * 0.25, percent ? 2 : Math.abs(high) * 0.02 || 0.1);
  const min = percent ? Math.max(0, Math.floor((low - pad) / 5) * 5) : low - pad;
  const max = percent ? Math.min(100, Math.ceil((high + pad) / 5) * 5) : high + pad;
  return { min, max };
}
