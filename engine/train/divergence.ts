import { AppError } from '../protocol/errors';
import type { EpochMetrics, PhaseRef } from '../protocol/run';

/**
 * The error for an epoch whose losses are not finite, or null. A learning rate too high for the optimizer
 * (SGD at 10) makes the weights overflow within an epoch; every later number would be NaN, and the run
 * would end in the store's NOT NULL constraint instead of a word about what happened.
 */
export function divergenceError(
  metrics: Pick<EpochMetrics, 'epoch' | 'trainLoss' | 'valLoss' | 'learningRate'>,
  phase: PhaseRef,
): AppError | null {
  const which = !Number.isFinite(metrics.trainLoss)
    ? (['training', metrics.trainLoss] as const)
    : !Number.isFinite(metrics.valLoss)
      ? (['validation', metrics.valLoss] as const)
      : null;
  if (!which) return null;
  const where = [
    phase.phase,
    phase.modality,
    phase.model && phase.model !== phase.phase ? `(${phase.model})` : '',
    phase.seed !== undefined ? `seed ${phase.seed}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return new AppError(
    'config',
    `Training diverged: the ${which[0]} loss became ${which[1]} at epoch ${metrics.epoch} of ${where}, at learning rate ${metrics.learningRate}. Lower the learning rate (--lr; the default is 0.001) and run again.`,
  );
}
