import { describe, expect, it } from 'vitest';
import { leadInWords, selectionInWords } from './decision-words';

describe('the decision in words, with its noise and how its classifier was chosen', () => {
  it('says a lead is within noise when the interval includes 0, and how far beyond it otherwise', () => {
    expect(
      leadInWords({ linearProbeAccuracy: 0.92, averagedPredictionAccuracy: 0.9, differenceInterval: [-0.01, 0.05] }),
    ).toBe(
      'the joint classifier leads by 2.0 pts, within noise (95% interval -1.0 pts to 5.0 pts, which includes 0): the validation split cannot tell the two apart',
    );
    expect(
      leadInWords({ linearProbeAccuracy: 0.7, averagedPredictionAccuracy: 0.8, differenceInterval: [-0.15, -0.04] }),
    ).toBe(
      'the averaged teachers lead by 10.0 pts, beyond noise (95% interval -15.0 pts to -4.0 pts; at least 4.0 pts)',
    );
  });

  it('says where the joint classifier was early-stopped, and that older runs chose on validation', () => {
    expect(selectionInWords({ selection: { split: 'train-holdout', share: 1 / 8, epochs: [7, 7, 9] } })).toBe(
      'its epoch was chosen on a held-out 12.5% of the training split (epoch 7, 9), not on the validation split it is compared on',
    );
    expect(selectionInWords({})).toMatch(/validation split itself/);
  });
});
