import { describe, expect, it } from 'vitest';
import { stratifiedHoldout } from './holdout';

describe("stratifiedHoldout (the decision classifier's early-stopping split, never the validation split it is compared on)", () => {
  const train = Array.from({ length: 80 }, (_, i) => i * 2);
  const labels = Int32Array.from({ length: 160 }, (_, i) => (i < 100 ? 0 : i < 140 ? 1 : 2));

  it('holds out 1/8 of each class of the indices it is given, and nothing else', () => {
    const { fit, heldOut } = stratifiedHoldout(train, labels, 1 / 8, 5);
    expect([...fit, ...heldOut].sort((a, b) => a - b)).toEqual(train);
    expect(fit.filter((i) => heldOut.includes(i))).toEqual([]);
    const count = (indices: number[], c: number) => indices.filter((i) => labels[i] === c).length;
    // 50, 20 and 10 training samples of classes 0, 1, 2: round(6.25) = 6, round(2.5) = 3, round(1.25) = 1.
    expect([0, 1, 2].map((c) => count(heldOut, c))).toEqual([6, 3, 1]);
  });

  it('is the same for the same seed and another for another, and keeps the order of its input', () => {
    expect(stratifiedHoldout(train, labels, 1 / 8, 5)).toEqual(stratifiedHoldout(train, labels, 1 / 8, 5));
    expect(stratifiedHoldout(train, labels, 1 / 8, 6).heldOut).not.toEqual(
      stratifiedHoldout(train, labels, 1 / 8, 5).heldOut,
    );
    const { fit } = stratifiedHoldout(train, labels, 1 / 8, 5);
    expect(fit).toEqual([...fit].sort((a, b) => a - b));
  });

  it('keeps a class of one sample for training', () => {
    expect(
      stratifiedHoldout([0, 1, 2, 3], Int32Array.from([0, 0, 0, 1]), 0.5, 1).heldOut.filter((i) => i === 3),
    ).toEqual([]);
  });
});
