import { describe, expect, it } from 'vitest';
import { shouldStop, smoothedValidation } from './early-stopping';

const history = (...values: number[]) => values.map((valAccuracy) => ({ valAccuracy }));

describe('early stopping on the smoothed validation accuracy', () => {
  it('smooths with an exponential moving average, the newest epoch weighing one half', () => {
    expect(smoothedValidation(history(0.4, 0.8, 0.6)).map((v) => +v.toFixed(12))).toEqual([0.4, 0.6, 0.6]);
  });

  it('stops when the smoothed accuracy has not improved for `patience` epochs', () => {
    // Smoothed: 0.5, 0.7, 0.65, 0.625, 0.6125: best at epoch 2, three epochs without improvement.
    expect(shouldStop(history(0.5, 0.9, 0.6, 0.6, 0.6), 3, 1)).toBe(true);
    expect(shouldStop(history(0.5, 0.9, 0.6, 0.6), 3, 1)).toBe(false);
  });

  it('is not fooled by one lucky epoch: a single spike does not end a rising run', () => {
    // Raw accuracy peaks at epoch 2 and is not beaten for 3 epochs, but the trend still rises.
    const rising = history(0.5, 0.8, 0.62, 0.7, 0.76);
    expect(shouldStop(rising, 3, 1)).toBe(false);
  });

  it('never stops before the minimum number of epochs', () => {
    expect(shouldStop(history(0.9, 0.5, 0.5, 0.5, 0.5), 2, 6)).toBe(false);
    expect(shouldStop(history(0.9, 0.5, 0.5, 0.5, 0.5, 0.5), 2, 6)).toBe(true);
  });
});
