import * as tf from '@tensorflow/tfjs';
import type { FitState, PhaseCheckpoint } from './checkpoint';
import type { FitResult } from './fit';

/** Adam's bias-correction accumulators (private in tfjs's typings); absent for SGD. */
interface OptimizerScalars {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

interface LoopState extends Omit<FitState, 'weights' | 'bestWeights' | 'optimizer' | 'best' | 'optimizerScalars'> {
  best: { accuracy: number; epoch: number; weights: tf.Tensor[] } | null;
}

/**
 * Writes the loop's state: model weights (BN statistics included), the best snapshot, the optimizer's
 * moments and step count, the shuffling RNG and the schedule. A finished phase keeps only its final weights.
 */
export async function saveCheckpoint(checkpoint: PhaseCheckpoint, state: LoopState, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<void> {
  const optimizerWeights = state.done ? [] : await optimizer.getWeights();
  const scalars = optimizer as unknown as OptimizerScalars;
  const optimizerScalars: Record<string, number> = {};
  if (!state.done && scalars.accBeta1 && scalars.accBeta2) {
    optimizerScalars.accBeta1 = (await scalars.accBeta1.data())[0] ?? 0;
    optimizerScalars.accBeta2 = (await scalars.accBeta2.data())[0] ?? 0;
  }
  try {
    await checkpoint.save({
      ...state,
      optimizerScalars,
      best: state.best ? { accuracy: state.best.accuracy, epoch: state.best.epoch } : null,
      weights: model.getWeights(),
      bestWeights: state.done ? [] : (state.best?.weights ?? []),
      optimizer: optimizerWeights,
    });
  } finally {
    // getWeights() hands out the optimizer's own variables, plus one new scalar for the step count.
    optimizerWeights.find((w) => w.name === 'iter')?.tensor.dispose();
  }
}

/**
 * Puts a saved state back: the model weights always; for a finished phase, its result; otherwise the
 * optimizer state and the best snapshot, which the caller keeps. Frees every loaded tensor it does not keep.
 */
export async function resumeFrom(saved: FitState, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<{ finished?: FitResult; best: { accuracy: number; epoch: number; weights: tf.Tensor[] } | null }> {
  model.setWeights(saved.weights);
  saved.weights.forEach((t) => t.dispose());
  if (saved.done) {
    saved.bestWeights.forEach((t) => t.dispose());
    saved.optimizer.forEach((w) => w.tensor.dispose());
    return { finished: { history: saved.history, bestEpoch: saved.best?.epoch ?? 0, stoppedEarly: saved.stoppedEarly }, best: null };
  }
  await optimizer.setWeights(saved.optimizer);
  saved.optimizer.forEach((w) => w.tensor.dispose());
  const scalars = optimizer as unknown as OptimizerScalars;
  for (const key of ['accBeta1', 'accBeta2'] as const) {
    const value = saved.optimizerScalars?.[key];
    if (value !== undefined && scalars[key]) tf.tidy(() => scalars[key]?.assign(tf.scalar(value)));
  }
  const best = saved.best ? { ...saved.best, weights: saved.bestWeights } : null;
  if (!best) saved.bestWeights.forEach((t) => t.dispose());
  return { best };
}
