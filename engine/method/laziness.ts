import type { LazinessEntry, MethodId } from '../protocol/run';
import { labelsAt, type RunContext } from './context';
import type { FeatureSource } from '../train/data-source';
import { linearProbabilities, trainLinear } from './linear-probe';
import { accuracyOf, argmaxRows, correctness } from './metrics';
import type { TrainedCandidate } from './methods/method';
import { teacherId } from './methods/teacher';
import { inPhase } from './phase';
import type { TrainedTeacher } from './teachers';

/** One probe of one seed, with the test samples it got right (for the verdict's interval). */
export interface ProbeResult extends LazinessEntry {
  correct: Uint8Array;
}

/**
 * Modality laziness (paper 3.1): each encoder is frozen, a linear classifier is fitted on its features
 * (train split), and its test accuracy is reported. A fused encoder that probes below its teacher learned
 * less of its modality than it could have. Probes every teacher and every fused candidate of one seed.
 */
export async function probeLaziness(
  context: RunContext,
  teachers: TrainedTeacher[],
  fused: TrainedCandidate[],
): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const teacher of teachers)
    results.push(await probe(context, teacher.modality, teacherId(teacher.modality), teacher.features));
  for (const candidate of fused) {
    if (!candidate.encoderFeatures) continue;
    for (const [m, modality] of context.modalities.entries()) {
      const features = candidate.encoderFeatures[m];
      if (!features) throw new Error(`${candidate.method} has no features for modality ${modality.name}.`);
      results.push(await probe(context, modality.name, candidate.method, features));
    }
  }
  return results;
}

async function probe(
  context: RunContext,
  modality: string,
  model: MethodId,
  features: FeatureSource,
): Promise<ProbeResult> {
  const phase = { phase: 'probe' as const, modality, model };
  return inPhase(context, phase, async () => {
    const { model: classifier } = await trainLinear(
      context,
      phase,
      features,
      `probe_${model.replace(/[^A-Za-z0-9_]/g, '_')}`,
    );
    const predicted = argmaxRows(
      await linearProbabilities(classifier, features, context.test, context.config.batchSize),
      context.classes.length,
    );
    classifier.dispose();
    const correct = correctness(labelsAt(context, context.test), predicted);
    return { seed: context.seed, modality, model, accuracy: accuracyOf(correct), correct };
  });
}
