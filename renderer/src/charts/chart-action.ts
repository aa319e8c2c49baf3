import type { ChartConfiguration } from 'chart.js';
import { Chart } from './chart-setup';

/**
 * `<canvas use:chart={config}>`: a Chart.js chart that lives as long as its canvas and redraws (without
 * animation) when the config changes. Data and options are plain snapshots, never Svelte proxies.
 */
export function chart(canvas: HTMLCanvasElement, config: ChartConfiguration) {
  const instance = new Chart(canvas, config);
  // The drawn value axis, on the element (the canvas itself shows only pixels): tests read it.
  const markAxis = () => {
    const y = instance.scales.y;
    if (y) canvas.dataset.yRange = `${y.min}..${y.max}`;
  };
  markAxis();
  return {
    update(next: ChartConfiguration) {
      instance.data = next.data;
      // Options too: an axis range fitted to the values changes with them (a page showing another run).
      instance.options = next.options ?? {};
      instance.update('none');
      markAxis();
    },
    destroy() {
      instance.destroy();
    },
  };
}
