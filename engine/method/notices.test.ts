import { describe, expect, it } from 'vitest';
import { finalNotices } from './notices';

const labels = { 'late-fusion': 'Late fusion', umt: 'UMT', ume: 'UME' };

describe('the notice when the final model is not the recommendation', () => {
  it('says nothing when the recommendation is the final model', () => {
    expect(finalNotices({ method: 'umt', recommended: 'umt', overridden: false, interval: null }, labels)).toEqual([]);
  });

  it('says the lead is within noise when its interval contains 0, and more than noise when it does not', () => {
    const within = finalNotices(
      { method: 'late-fusion', recommended: 'umt', overridden: false, interval: [0, 0.07] },
      labels,
    );
    expect(within).toEqual([
      "The final model is Late fusion, not UMT (the decision trick's recommendation): Late fusion is better on the validation split, but within noise of it (interval 0.0 to 7.0 pts): on other data or seeds either could win.",
    ]);
    const clear = finalNotices(
      { method: 'late-fusion', recommended: 'ume', overridden: true, interval: [0.02, 0.09] },
      labels,
    );
    expect(clear[0]).toBe(
      'The final model is Late fusion, not UME (your choice at the decision): Late fusion is better on the validation split by more than the noise (interval 2.0 to 9.0 pts).',
    );
  });
});
