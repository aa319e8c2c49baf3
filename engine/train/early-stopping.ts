import type { EpochMetrics } from '../protocol/run';

/**
 * Weight of the newest epoch in the smoothed validation accuracy. On a validation split of a few hundred
 * samples one epoch's accuracy moves by a point or two by chance; judging "no longer improving" on the raw
 * value stopped teachers several points short of a plain 30-epoch recipe.
 */
export const SMOOTHING = 0.5;

/** The exponential moving average of validation accuracy after each epoch of `history`. */
export function smoothedValidation(history: Pick<EpochMetrics, 'valAccuracy'>[]): number[] {
  const out: number[] = [];
  for (const { valAccuracy } of history)
    out.push(out.length === 0 ? valAccuracy : SMOOTHING * valAccuracy + (1 - SMOOTHING) * (out.at(-1) as number));
  return out;
}

/**
 * Early stopping: stop once the smoothed validation accuracy has not improved for `patience` epochs, and
 * never before `minEpochs`. Which weights are kept is a separate rule (the raw best validation epoch, as the
 * plain recipe keeps). Computed from the history alone, so a resumed phase stops where an unbroken one would.
 */
export function shouldStop(history: Pick<EpochMetrics, 'valAccuracy'>[], patience: number, minEpochs: number): boolean {
  if (history.length < minEpochs) return false;
  const smoothed = smoothedValidation(history);
  let bestEpoch = 0;
  smoothed.forEach((value, i) => {
    if (value > (smoothed[bestEpoch] as number)) bestEpoch = i;
  });
  return history.length - 1 - bestEpoch >= patience;
}
