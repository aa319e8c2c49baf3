import type * as tf from '@tensorflow/tfjs';
import { phaseOf, seedsFor, sharedFitOptions, type RunContext } from './context';
import { CacheSource, FeatureSource } from '../train/data-source';
import { fitModel } from '../train/fit';
import type { FitResult } from '../train/fit-result';
import { recipeFitOptions, runRecipe } from './recipe';
import { buildTeacher } from '../train/models/networks';
import { inPhase } from './phase';
import { runModel } from '../train/predict';

export interface TrainedTeacher {
  modality: string;
  seed: number;
  model: tf.LayersModel;
  /** Softmax of every sample, `[samples, classes]`. */
  probabilities: Float32Array;
  /** The frozen encoder's features of every sample, computed once (inputs are not augmented). */
  features: FeatureSource;
  fit: FitResult;
  trainingMs: number;
}

/** Paper 3.3, UMT and UME step 1: each modality's encoder + linear head trained alone with cross-entropy. */
export async function trainTeachers(context: RunContext): Promise<TrainedTeacher[]> {
  const teachers: TrainedTeacher[] = [];
  const built: tf.LayersModel[] = [];
  try {
    for (let m = 0; m < context.modalities.length; m += 1) {
      teachers.push(await trainTeacher(context, m, built));
    }
  } catch (error) {
    built.forEach((model) => model.dispose());
    throw error;
  }
  return teachers;
}

async function trainTeacher(context: RunContext, m: number, built: tf.LayersModel[]): Promise<TrainedTeacher> {
  const modality = context.modalities[m] as RunContext['modalities'][number];
  const phase = { phase: 'teacher' as const, modality: modality.name };
  const started = Date.now();
  return inPhase(context, phase, async () => {
    const seeds = seedsFor(context, `teacher:${modality.name}`);
    const model = buildTeacher(modality, context.classes.length, context.config, seeds);
    built.push(model);
    const source = new CacheSource(context.reader, [m]);
    const fit = await fitModel({
      ...sharedFitOptions(context),
      phase: phaseOf(context, phase),
      model,
      source,
      epochs: context.config.teacherEpochs,
      ...recipeFitOptions(runRecipe(context.config)),
      seed: seeds.take(),
      checkpoint: context.checkpoints?.forPhase(phaseOf(context, phase)),
    });
    const [probabilities, features] = await runModel(model, source, context.all, context.config.batchSize);
    if (!probabilities || !features)
      throw new Error(`The teacher of ${modality.name} returned ${probabilities ? 'no features' : 'no predictions'}.`);
    return {
      modality: modality.name,
      seed: context.seed,
      model,
      probabilities,
      features: new FeatureSource(features, features.length / context.all.length),
      fit,
      trainingMs: Date.now() - started,
    };
  });
}
