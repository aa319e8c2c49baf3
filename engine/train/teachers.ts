import type * as tf from '@tensorflow/tfjs';
import { sharedFitOptions, type RunContext } from './context';
import { CacheSource, FeatureSource } from './data-source';
import { fitModel } from './fit';
import { buildTeacher } from './models/networks';
import { inPhase } from './phase';
import { runModel } from './predict';

export interface TrainedTeacher {
  modality: string;
  model: tf.LayersModel;
  /** Softmax of every sample, `[samples, classes]`. */
  probabilities: Float32Array;
  /** The frozen encoder's features of every sample, computed once (inputs are not augmented). */
  features: FeatureSource;
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
  return inPhase(context, phase, async () => {
    const model = buildTeacher(modality, context.classes.length, context.config, context.seeds);
    built.push(model);
    const source = new CacheSource(context.reader, [m]);
    const result = await fitModel({
      ...sharedFitOptions(context),
      phase,
      model,
      source,
      epochs: context.config.teacherEpochs,
      learningRate: context.config.learningRate,
      optimizer: context.config.optimizer,
      schedule: context.config.schedule,
      seed: context.seeds.take(),
      checkpoint: context.checkpoints?.forPhase(phase),
    });
    const [probabilities, features] = await runModel(model, source, context.all, context.config.batchSize);
    const dim = (features?.length ?? 0) / context.all.length;
    return { modality: modality.name, model, probabilities: probabilities ?? new Float32Array(0), features: new FeatureSource(features ?? new Float32Array(0), dim), fit: result };
  });
}
