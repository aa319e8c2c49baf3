import type { Decision } from './run';

const pts = (v: number) => `${(v * 100).toFixed(1)} pts`;

/**
 * How far the joint classifier's lead over the averaged teachers is from noise, in words, from the bootstrap
 * 95% interval of their validation difference (paper 4.2's comparison, with its uncertainty): the trick rules
 * on the sign of the difference alone, and a reader should know when that sign is a coin toss.
 */
export function leadInWords(
  decision: Pick<Decision, 'linearProbeAccuracy' | 'averagedPredictionAccuracy' | 'differenceInterval'>,
): string {
  const gap = decision.linearProbeAccuracy - decision.averagedPredictionAccuracy;
  const [low, high] = decision.differenceInterval;
  const leader = gap > 0 ? 'the joint classifier' : 'the averaged teachers';
  const interval = `95% interval ${pts(low)} to ${pts(high)}`;
  if (low <= 0 && high >= 0)
    return `${leader} lead${gap > 0 ? 's' : ''} by ${pts(Math.abs(gap))}, within noise (${interval}, which includes 0): the validation split cannot tell the two apart`;
  const margin = gap > 0 ? low : -high;
  return `${leader} lead${gap > 0 ? 's' : ''} by ${pts(Math.abs(gap))}, beyond noise (${interval}; at least ${pts(margin)})`;
}

/** How the joint classifier's epoch was chosen, in words (older runs chose it on the validation split). */
export function selectionInWords(decision: Pick<Decision, 'selection'>): string {
  const selection = decision.selection;
  if (!selection)
    return 'its epoch was chosen on the validation split itself (a run made before that was corrected), which favours it';
  const epochs = [...new Set(selection.epochs)];
  return `its epoch was chosen on a held-out ${(selection.share * 100).toFixed(1).replace(/\.0$/, '')}% of the training split (epoch ${epochs.join(', ')}), not on the validation split it is compared on`;
}
