import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, LinearScale, CategoryScale, Legend, Tooltip);

/** Colours that read on light and dark backgrounds alike (Okabe–Ito, safe for colour-blind readers). */
export const SERIES_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#999999'];

export function seriesColour(index: number): string {
  return SERIES_COLOURS[index % SERIES_COLOURS.length] ?? '#0072B2';
}

/** Axis and grid colours from the page's CSS variables, so charts follow the OS light/dark setting. */
export function themeColours(): { text: string; grid: string } {
  const style = getComputedStyle(document.documentElement);
  return { text: style.getPropertyValue('--text-muted').trim() || '#555', grid: style.getPropertyValue('--grid').trim() || '#ddd' };
}

export { Chart };
