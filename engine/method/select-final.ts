import type { ChosenMethod, FinalChoice, FinalChoiceRule, MethodId } from '../protocol/run';
import { seedStat } from '../protocol/seed-stat';
import { percentText as pct, pointsNumber as num, pointsText as pts } from './in-words';
import { accuracyOf, bootstrapDifference, withinNoise } from './metrics';

/** A candidate as the selection sees it: which validation samples each seed's model got right. */
export interface ScoredCandidate {
  method: MethodId;
  label: string;
  /** One vector per seed, over the same validation samples. */
  valCorrect: Uint8Array[];
}

export interface Recommendation {
  /** The method the run went on with at the decision (paper 3.3's UMT or UME). */
  method: ChosenMethod;
  /** Whether the user chose it against the trick. */
  overridden: boolean;
}

export type Selection = Pick<FinalChoice, 'method' | 'best' | 'interval' | 'reason'>;

const meanValAccuracy = (c: ScoredCandidate) => seedStat(c.valCorrect.map(accuracyOf)).mean;

/**
 * Chooses the final model on the validation split, never on test: the candidate with the best mean
 * validation accuracy. When the recommendation (the decision trick's, or the user's) is not that candidate,
 * the paired bootstrap 95% interval of their validation difference (over samples and seeds) says whether the
 * lead is within noise, and the reason says so. With `rule` `recommendation-within-noise` a lead within noise
 * keeps the recommendation instead (the app's first rule: with no evidence against the paper's reasoning,
 * follow it); by default the validation-best is kept, because that rule cost 2 pts on test where the
 * validation-best cost nothing (README, "How the final model is chosen").
 * Ties go to the recommendation, then to the candidate listed first (the registry's order).
 */
export function selectFinal(
  candidates: ScoredCandidate[],
  recommendation: Recommendation,
  resamples: number,
  seed: number,
  rule: FinalChoiceRule = 'validation-best',
): Selection {
  if (candidates.length === 0) throw new Error('No candidate model to choose from.');
  const scored = candidates.map((c) => ({ c, val: meanValAccuracy(c) }));
  const top = Math.max(...scored.map((s) => s.val));
  const leaders = scored.filter((s) => s.val === top);
  const recommended = scored.find((s) => s.c.method === recommendation.method);
  const best = (leaders.find((s) => s.c.method === recommendation.method) ?? leaders[0]) as (typeof scored)[number];
  const who = recommendation.overridden
    ? `you chose ${recommended?.c.label ?? recommendation.method} at the decision`
    : `the trick recommended ${recommended?.c.label ?? recommendation.method}`;
  if (!recommended) {
    return {
      method: best.c.method,
      best: best.c.method,
      interval: null,
      reason: `${best.c.label} has the best validation accuracy (${pct(best.val)}); ${who}, which this run did not train.`,
    };
  }
  if (best.c.method === recommended.c.method) {
    const runnerUp = scored.filter((s) => s !== best).sort((x, y) => y.val - x.val)[0];
    const next = runnerUp
      ? `, ${pts(best.val - runnerUp.val)} above the next best (${runnerUp.c.label}, ${pct(runnerUp.val)})`
      : '';
    return {
      method: best.c.method,
      best: best.c.method,
      interval: null,
      reason: `${best.c.label} has the best validation accuracy (${pct(best.val)}${next}); ${who}.`,
    };
  }
  const interval = bootstrapDifference(best.c.valCorrect, recommended.c.valCorrect, resamples, seed);
  const lead = `${best.c.label}: ${pts(best.val - recommended.val)} above ${recommended.c.label} on validation (${pct(best.val)} vs ${pct(recommended.val)}), interval ${num(interval[0])} to ${pts(interval[1])}`;
  if (!withinNoise(interval))
    return { method: best.c.method, best: best.c.method, interval, reason: `${lead}; ${who}.` };
  if (rule === 'recommendation-within-noise') {
    return {
      method: recommended.c.method,
      best: best.c.method,
      interval,
      reason: `${lead}, which includes 0: within noise, so ${recommended.c.label} is kept (${who}).`,
    };
  }
  return {
    method: best.c.method,
    best: best.c.method,
    interval,
    reason: `${lead}, which includes 0: the two are within noise of each other, and the one better on validation is kept; ${who}.`,
  };
}
