import type * as tf from '@tensorflow/tfjs';
import type { LazinessRow } from '../protocol/run';
import { labelsAt, type RunContext } from './context';
import { CacheSource, FeatureSource } from './data-source';
import { linearProbabilities, trainLinear } from './linear-probe';
import { argmaxRows, correctness } from './metrics';
import { inPhase } from './phase';
import { runModel } from './predict';
import type { TrainedTeacher } from './teachers';

/**
 * Modality laziness (paper 3.1): each encoder is frozen, a linear classifier is fitted on its features
 * (train split), and its test accuracy is reported. A fused encoder that probes far below its teacher
 * learned less of its modality than it could have. The fused models run once over every sample; their
 * test-split probabilities come back with the table, for the test evaluation (no second pass).
 */
export async function probeLaziness(context: RunContext, teachers: TrainedTeacher[], fused: { name: 'lateFusion' | 'umt'; model: tf.LayersModel }[]): Promise<{ table: Record<string, LazinessRow>; testProbabilities: Map<string, Float32Array> }> {
  const table: Record<string, LazinessRow> = {};
  const testProbabilities = new Map<string, Float32Array>();
  for (const teacher of teachers) table[teacher.modality] = { teacher: await probe(context, teacher.modality, 'teacher', teacher.features), lateFusion: 0 };
  for (const { name, model } of fused) {
    const outputs = await runModel(model, new CacheSource(context.reader, context.modalities.map((_, i) => i)), context.all, context.config.batchSize);
    testProbabilities.set(name, new FeatureSource(outputs[0] ?? new Float32Array(0), context.classes.length).rows(context.test));
    for (const [m, modality] of context.modalities.entries()) {
      const values = outputs[m + 1] ?? new Float32Array(0);
      const accuracy = await probe(context, modality.name, name, new FeatureSource(values, values.length / context.all.length));
      const row = table[modality.name] as LazinessRow;
      row[name] = accuracy;
    }
  }
  return { table, testProbabilities };
}

async function probe(context: RunContext, modality: string, model: string, features: FeatureSource): Promise<number> {
  const phase = { phase: 'probe' as const, modality, model };
  return inPhase(context, phase, async () => {
    const classifier = await trainLinear(context, phase, features, `probe_${model}`);
    const predicted = argmaxRows(await linearProbabilities(classifier, features, context.test, context.config.batchSize), context.classes.length);
    classifier.dispose();
    const correct = correctness(labelsAt(context, context.test), predicted);
    return correct.reduce((s, v) => s + v, 0) / Math.max(1, correct.length);
  });
}
