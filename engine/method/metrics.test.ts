import { describe, expect, it } from 'vitest';
import { argmaxRows, bootstrapDifference, correctness, evaluatePredictions } from './metrics';

describe('metrics', () => {
  it('computes accuracy, macro-F1, per-class accuracy and the confusion matrix', () => {
    const actual = [0, 0, 0, 1, 1, 2];
    const predicted = [0, 0, 1, 1, 2, 2];
    const e = evaluatePredictions('m', 'test', actual, predicted, 3);
    expect(e.accuracy).toBeCloseTo(4 / 6);
    expect(e.confusion).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(e.perClassAccuracy).toEqual([2 / 3, 0.5, 1]);
    // F1: class 0 = 2·2/(3+2) = 0.8; class 1 = 2·1/(2+2) = 0.5; class 2 = 2·1/(1+2) = 2/3.
    expect(e.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3);
  });

  it('takes the most probable class of each row', () => {
    expect(Array.from(argmaxRows(Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.3, 0.2]), 3))).toEqual([1, 0]);
  });

  it('gives a bootstrap interval around the observed difference, narrower with more samples', () => {
    const n = 400;
    const a = correctness(
      Array.from({ length: n }, () => 1),
      Array.from({ length: n }, (_, i) => (i % 10 < 8 ? 1 : 0)),
    );
    const b = correctness(
      Array.from({ length: n }, () => 1),
      Array.from({ length: n }, (_, i) => (i % 10 < 7 ? 1 : 0)),
    );
    const [lo, hi] = bootstrapDifference(a, b, 2000, 1);
    expect(lo).toBeLessThan(0.1);
    expect(hi).toBeGreaterThan(0.1);
    expect(lo).toBeGreaterThan(0.05);
    expect(hi).toBeLessThan(0.15);
    expect(bootstrapDifference(a, b, 2000, 1)).toEqual([lo, hi]);
  });
});
