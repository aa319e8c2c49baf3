import { describe, expect, it } from 'vitest';
import { selectFinal, type ScoredCandidate } from './select-final';

/** A correctness vector of `n` validation samples with the first `right` correct. */
const correct = (n: number, right: number) => Uint8Array.from({ length: n }, (_, i) => (i < right ? 1 : 0));
const candidate = (method: string, label: string, ...perSeed: Uint8Array[]): ScoredCandidate => ({
  method,
  label,
  valCorrect: perSeed,
});

describe('choosing the final model on validation', () => {
  it('takes a clear winner over the recommendation, and says by how much with its interval', () => {
    // 400 samples: late fusion 90% vs UMT 70% on the same samples (UMT's hits are a subset): a 20-point lead.
    const choice = selectFinal(
      [candidate('late-fusion', 'Late fusion', correct(400, 360)), candidate('umt', 'UMT', correct(400, 280))],
      { method: 'umt', overridden: false },
      1000,
      1,
    );
    expect(choice.method).toBe('late-fusion');
    expect(choice.best).toBe('late-fusion');
    expect(choice.interval![0]).toBeGreaterThan(0.15);
    expect(choice.interval![1]).toBeLessThan(0.25);
    expect(choice.reason).toMatch(
      /^Late fusion: 20\.0 pts above UMT on validation \(90\.0% vs 70\.0%\), interval \d+\.\d to \d+\.\d pts; the trick recommended UMT\.$/,
    );
  });

  it('takes the validation-best when it is within noise of the recommendation, and says it is within noise', () => {
    // 100 samples, 81 vs 80 correct: one sample apart.
    const choice = selectFinal(
      [candidate('late-fusion', 'Late fusion', correct(100, 81)), candidate('ume', 'UME', correct(100, 80))],
      { method: 'ume', overridden: false },
      1000,
      1,
    );
    expect(choice.method).toBe('late-fusion');
    expect(choice.best).toBe('late-fusion');
    expect(choice.interval![0]).toBeLessThanOrEqual(0);
    expect(choice.interval![1]).toBeGreaterThanOrEqual(0);
    expect(choice.reason).toContain('Late fusion: 1.0 pts above UME on validation (81.0% vs 80.0%)');
    expect(choice.reason).toContain(
      'which includes 0: the two are within noise of each other, and the one better on validation is kept; the trick recommended UME.',
    );
  });

  it('with the rule recommendation-within-noise, keeps the recommendation when the best is within noise of it', () => {
    const scored = [
      candidate('late-fusion', 'Late fusion', correct(100, 81)),
      candidate('ume', 'UME', correct(100, 80)),
    ];
    const choice = selectFinal(scored, { method: 'ume', overridden: false }, 1000, 1, 'recommendation-within-noise');
    expect(choice.method).toBe('ume');
    expect(choice.best).toBe('late-fusion');
    expect(choice.reason).toContain('within noise, so UME is kept (the trick recommended UME)');
    // A clear lead still wins under that rule.
    const clear = selectFinal(
      [candidate('late-fusion', 'Late fusion', correct(400, 360)), candidate('ume', 'UME', correct(400, 280))],
      { method: 'ume', overridden: false },
      1000,
      1,
      'recommendation-within-noise',
    );
    expect(clear.method).toBe('late-fusion');
  });

  it('takes the recommendation when it is itself the best, naming the runner-up', () => {
    const choice = selectFinal(
      [candidate('late-fusion', 'Late fusion', correct(50, 30)), candidate('umt', 'UMT', correct(50, 40))],
      { method: 'umt', overridden: false },
      500,
      1,
    );
    expect(choice).toMatchObject({ method: 'umt', best: 'umt', interval: null });
    expect(choice.reason).toBe(
      'UMT has the best validation accuracy (80.0%, 20.0 pts above the next best (Late fusion, 60.0%)); the trick recommended UMT.',
    );
  });

  it('breaks a tie in favour of the recommendation, then of the registry order', () => {
    const tied = [
      candidate('late-fusion', 'Late fusion', correct(20, 10)),
      candidate('ume', 'UME', correct(20, 10)),
      candidate('umt', 'UMT', correct(20, 5)),
    ];
    expect(selectFinal(tied, { method: 'ume', overridden: false }, 200, 1).method).toBe('ume');
    // The recommendation far behind a tie of two: the first of them listed wins.
    const choice = selectFinal(tied, { method: 'umt', overridden: false }, 200, 1);
    expect(choice.best).toBe('late-fusion');
  });

  it('uses the mean over seeds, and the seeds widen the interval', () => {
    // Seed 1: late fusion 15 points ahead; seed 2: 5 points behind. Mean lead 5 points.
    const late = candidate('late-fusion', 'Late fusion', correct(200, 170), correct(200, 150));
    const ume = candidate('ume', 'UME', correct(200, 140), correct(200, 160));
    const two = selectFinal([late, ume], { method: 'ume', overridden: false }, 1000, 3);
    expect(two.best).toBe('late-fusion');
    expect(two.reason).toContain('5.0 pts above UME');
    // The same mean lead from one seed alone is far from noise; with the seeds' disagreement it is not.
    const one = selectFinal(
      [candidate('late-fusion', 'Late fusion', correct(200, 160)), candidate('ume', 'UME', correct(200, 150))],
      { method: 'ume', overridden: false },
      1000,
      3,
    );
    expect(two.interval![1] - two.interval![0]).toBeGreaterThan(one.interval![1] - one.interval![0]);
    expect(two.interval![0]).toBeLessThanOrEqual(0);
    expect(one.interval![0]).toBeGreaterThan(0);
    expect(two.method).toBe('late-fusion');
    expect(
      selectFinal([late, ume], { method: 'ume', overridden: false }, 1000, 3, 'recommendation-within-noise').method,
    ).toBe('ume');
  });

  it("words the user's override as the user's choice", () => {
    const choice = selectFinal(
      [candidate('late-fusion', 'Late fusion', correct(400, 360)), candidate('ume', 'UME', correct(400, 200))],
      { method: 'ume', overridden: true },
      500,
      1,
    );
    expect(choice.reason).toContain('you chose UME at the decision');
  });
});
