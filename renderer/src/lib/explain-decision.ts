import { trickMethod, type ChosenMethod, type Decision } from '../../../engine/protocol/run';
import { percent, points } from './format';
import { leadInWords, selectionInWords } from '../../../engine/protocol/decision-words';

export interface DecisionExplanation {
  headline: string;
  /** Why, in plain words, with the numbers. */
  reasons: string[];
  /** Said when the interval includes 0: the validation split cannot tell the two apart. */
  caution: string | null;
  recommended: ChosenMethod;
}

/**
 * The decision trick in words (paper §4.2, A.7.1): a linear classifier on the frozen teachers' features,
 * trained on all modalities at once, against the average of the teachers' predictions. If the joint
 * classifier is better, the modalities hold information only their combination shows (paired features),
 * which late fusion with distillation (UMT) can learn; if not, ensembling the teachers (UME) is the better
 * use of them, and joint training would mostly add modality laziness. Built from the run's numbers and
 * config only: what training will do is not claimed here (the laziness probes measure it afterwards).
 */
export function explainDecision(
  decision: Decision,
  modalities: string[],
  distillWeight: number | 'auto',
): DecisionExplanation {
  const gap = decision.linearProbeAccuracy - decision.averagedPredictionAccuracy;
  const recommended = trickMethod(decision);
  const [low, high] = decision.differenceInterval;
  const slices = modalities.map((m) => `${m} ${percent(decision.sliceAccuracy[m])}`).join(', ');
  const reasons =
    recommended === 'umt'
      ? [
          `A linear classifier on all the teachers' features together reached ${percent(decision.linearProbeAccuracy)} on the validation split, ${points(gap)} over averaging the teachers' predictions (${percent(decision.averagedPredictionAccuracy)}).`,
          'So the modalities carry information that only shows when they are combined (paired features). Training them jointly can learn it.',
          `UMT trains late fusion jointly while distilling each encoder from its teacher (MSE on features, ${distillWeight === 'auto' ? 'weight chosen on validation among 1, 5, 20 and 50' : `weight ${distillWeight}`} in this run; the paper uses 50), to keep every encoder learning its own modality. Whether it did is measured after training, by the laziness probes.`,
        ]
      : [
          `Averaging the teachers' predictions reached ${percent(decision.averagedPredictionAccuracy)} on the validation split, against ${percent(decision.linearProbeAccuracy)} for a linear classifier on all their features together (${points(gap)}).`,
          'Combining the features gains nothing over combining the predictions: what each modality knows adds up rather than interacts.',
          'UME averages the teachers you already have: no more training, and each teacher keeps what it learnt from its own modality.',
        ];
  const caution =
    low <= 0 && high >= 0
      ? `The 95% bootstrap interval of the difference, ${points(low)} to ${points(high)}, includes zero: the validation split is too small to tell the two apart with confidence, so either choice is defensible.`
      : null;
  reasons.push(
    `In short: ${leadInWords(decision)}. The joint classifier's ${selectionInWords(decision).replace(/^its /, '')}.`,
  );
  reasons.push(
    'Late fusion trains in every run as well, and the final model is the one best on the validation split, whichever that is; the results say when the difference is within noise.',
  );
  reasons.push(`Each modality's part of the joint classifier, alone: ${slices}.`);
  const name = recommended === 'umt' ? 'UMT (uni-modal teacher)' : 'UME (uni-modal ensemble)';
  return { headline: `Recommended: ${name}`, reasons, caution, recommended };
}
