import type * as tf from '@tensorflow/tfjs';
import type { PhaseRef } from '../protocol/run';
import { LINEAR_RATE_FACTOR, phaseOf, seedsFor, sharedFitOptions, type RunContext } from './context';
import type { FeatureSource } from '../train/data-source';
import { fitModel } from '../train/fit';
import { buildLinear } from '../train/models/networks';
import { runModel } from '../train/predict';

/**
 * Trains a linear classifier on frozen features: the paper's linear probe (3.1; train split, early stopping
 * on val, reported on test) and its decision classifier (4.2), which passes `split` to train and stop on parts
 * of the training split instead, since it is then compared on val. The caller disposes the returned model.
 */
export async function trainLinear(
  context: RunContext,
  phase: PhaseRef,
  features: FeatureSource,
  name: string,
  split?: { fit: number[]; heldOut: number[] },
): Promise<{ model: tf.LayersModel; bestEpoch: number }> {
  const { config } = context;
  const seeds = seedsFor(context, `${name}:${phase.modality ?? ''}`);
  const model = buildLinear(features.dim, context.classes.length, seeds, name);
  const { bestEpoch } = await fitModel({
    ...sharedFitOptions(context),
    ...(split ? { trainIndices: split.fit, valIndices: split.heldOut } : {}),
    phase: phaseOf(context, phase),
    model,
    source: features,
    epochs: config.probeEpochs,
    learningRate: config.learningRate * LINEAR_RATE_FACTOR,
    optimizer: 'adam',
    schedule: 'none',
    seed: seeds.take(),
  });
  return { model, bestEpoch };
}

/** Probability rows `[indices.length, classes]` of a linear model on features. */
export async function linearProbabilities(
  model: tf.LayersModel,
  features: FeatureSource,
  indices: number[],
  batchSize: number,
): Promise<Float32Array> {
  const [probabilities] = await runModel(model, features, indices, batchSize);
  if (!probabilities) throw new Error('A linear classifier returned no output.');
  return probabilities;
}
