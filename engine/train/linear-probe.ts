import type * as tf from '@tensorflow/tfjs';
import type { PhaseRef } from '../protocol/run';
import { LINEAR_RATE_FACTOR, type RunContext } from './context';
import type { FeatureSource } from './data-source';
import { fit } from './fit';
import { buildLinear } from './models/networks';
import { runModel } from './predict';

/**
 * Trains a linear classifier on frozen features (train split, early stopping on val): the paper's linear
 * probe (3.1) and its decision classifier (4.2). The caller disposes the returned model.
 */
export async function trainLinear(context: RunContext, phase: PhaseRef, features: FeatureSource, name: string): Promise<tf.LayersModel> {
  const { config } = context;
  const model = buildLinear(features.dim, context.classes.length, context.seeds, name);
  await fit({
    phase,
    model,
    source: features,
    labels: context.labels,
    classes: context.classes.length,
    trainIndices: context.train,
    valIndices: context.val,
    epochs: config.probeEpochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate * LINEAR_RATE_FACTOR,
    optimizer: 'adam',
    schedule: 'none',
    patience: config.patience,
    seed: context.seeds.take(),
    emit: context.emit,
    signal: context.signal,
  });
  return model;
}

/** Probability rows `[indices.length, classes]` of a linear model on features. */
export async function linearProbabilities(model: tf.LayersModel, features: FeatureSource, indices: number[], batchSize: number): Promise<Float32Array> {
  const [probabilities] = await runModel(model, features, indices, batchSize);
  return probabilities ?? new Float32Array(0);
}
