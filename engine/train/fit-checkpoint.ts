import * as tf from '@tensorflow/tfjs';
import { DamagedCheckpointError, type FitState, type PhaseCheckpoint } from './checkpoint';
import type { PhaseRef, RunEvent } from '../protocol/run';
import type { FitResult } from './fit-result';

/** Adam's bias-correction accumulators (private in tfjs's typings); absent for SGD. */
interface OptimizerScalars {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

interface LoopState extends Omit<FitState, 'weights' | 'bestWeights' | 'optimizer' | 'best' | 'optimizerScalars'> {
  best: { accuracy: number; epoch: number; weights: tf.Tensor[] } | null;
}

/**
 * The phase's saved state, or null to train it from its start: a damaged checkpoint (or one whose tensors do
 * not fit the model) is said and set aside rather than ending the resume. A phase's seed comes from the run's
 * seed and its name, so training it again from epoch 1 gives exactly the numbers an unbroken run has.
 */
export async function loadUsableCheckpoint(
  checkpoint: PhaseCheckpoint,
  model: tf.LayersModel,
  phase: PhaseRef,
  emit: (event: RunEvent) => void,
): Promise<FitState | null> {
  let saved: FitState | null;
  try {
    saved = await checkpoint.load();
  } catch (error) {
    if (!(error instanceof DamagedCheckpointError)) throw error;
    emit({
      type: 'log',
      level: 'warn',
      message: `${error.message}; ${describePhase(phase)} trains again from its first epoch (the same seed gives the same numbers).`,
    });
    return null;
  }
  if (!saved) return null;
  const shapes = model.getWeights().map((w) => w.shape.join('x'));
  const savedShapes = saved.weights.map((w) => w.shape.join('x'));
  if (shapes.join() === savedShapes.join()) return saved;
  [...saved.weights, ...saved.bestWeights, ...saved.optimizer.map((o) => o.tensor)].forEach((t) => t.dispose());
  emit({
    type: 'log',
    level: 'warn',
    message: `The checkpoint of ${describePhase(phase)} holds weights of other shapes than its network (${savedShapes.length} tensors for ${shapes.length}); it trains again from its first epoch.`,
  });
  return null;
}

function describePhase(phase: PhaseRef): string {
  return [phase.phase, phase.modality, phase.model, phase.seed !== undefined ? `seed ${phase.seed}` : '']
    .filter(Boolean)
    .join(' ');
}

/**
 * Writes the loop's state: model weights (BN statistics included), the best snapshot, the optimizer's
 * moments and step count, the shuffling RNG and the schedule. A finished phase keeps only its final weights.
 */
export async function saveCheckpoint(
  checkpoint: PhaseCheckpoint,
  state: LoopState,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<void> {
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
export async function resumeFrom(
  saved: FitState,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<{ finished?: FitResult; best: { accuracy: number; epoch: number; weights: tf.Tensor[] } | null }> {
  model.setWeights(saved.weights);
  saved.weights.forEach((t) => t.dispose());
  if (saved.done) {
    saved.bestWeights.forEach((t) => t.dispose());
    saved.optimizer.forEach((w) => w.tensor.dispose());
    return {
      finished: { history: saved.history, bestEpoch: saved.best?.epoch ?? 0, stoppedEarly: saved.stoppedEarly },
      best: null,
    };
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
