import type { ChartConfiguration } from 'chart.js';
import { Chart } from './chart-setup';

/**
 * `<canvas use:chart={config}>`: a Chart.js chart that lives as long as its canvas and redraws (without
 * animation) when the config changes. Data and options are plain snapshots, never Svelte proxies.
 */
export function chart(canvas: HTMLCanvasElement, config: ChartConfiguration) {
  const instance = new Chart(canvas, config);
  return {
    update(next: ChartConfiguration) {
      instance.data = next.data;
      instance.update('none');
    },
    destroy() {
      instance.destroy();
    },
  };
}
