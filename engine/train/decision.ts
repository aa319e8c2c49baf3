import type { ChosenMethod, Decision, Method } from '../protocol/run';
import { labelsAt, type RunContext } from './context';
import { concatFeatures } from './data-source';
import { linearProbabilities, trainLinear } from './linear-probe';
import { argmaxRows, bootstrapDifference, correctness } from './metrics';
import { inPhase } from './phase';
import type { TrainedTeacher } from './teachers';

/** UME's prediction: the plain average of the teachers' softmax outputs (paper A.2: no weighting, no training). */
export function averagePredictions(teachers: TrainedTeacher[], indices: number[], classes: number): Float32Array {
  const out = new Float32Array(indices.length * classes);
  for (const teacher of teachers) {
    indices.forEach((index, row) => {
      for (let c = 0; c < classes; c += 1) out[row * classes + c] = (out[row * classes + c] ?? 0) + (teacher.probabilities[index * classes + c] ?? 0) / teachers.length;
    });
  }
  return out;
}

/**
 * The paper's decision trick (3.3, 4.2): a multi-modal linear classifier on the frozen teachers' features
 * versus the average of the teachers' predictions, on the validation split. Classifier strictly better →
 * UMT (cross-modal interaction helps); otherwise UME. Also reports each modality's slice of that classifier
 * alone (A.7.1: its weight columns for the modality, bias divided by K), which shows laziness inside the
 * classifier, and a bootstrap 95% interval of the accuracy difference (shown, never used to overrule).
 */
export async function decide(context: RunContext, teachers: TrainedTeacher[], requested: Method): Promise<Decision> {
  return inPhase(context, { phase: 'decision' }, async () => {
    const classes = context.classes.length;
    const joined = concatFeatures(teachers.map((t) => t.features), context.all.length);
    const classifier = await trainLinear(context, { phase: 'decision' }, joined, 'decision_classifier');
    const actual = labelsAt(context, context.val);
    const classifierPredicted = argmaxRows(await linearProbabilities(classifier, joined, context.val, context.config.batchSize), classes);
    const averagedPredicted = argmaxRows(averagePredictions(teachers, context.val, classes), classes);
    const classifierCorrect = correctness(actual, classifierPredicted);
    const averagedCorrect = correctness(actual, averagedPredicted);
    const mean = (v: Uint8Array) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : 0);
    const [kernel, bias] = classifier.getWeights();
    const weights = (await kernel!.data()) as Float32Array;
    const biases = (await bias!.data()) as Float32Array;
    classifier.dispose();
    const sliceAccuracy: Record<string, number> = {};
    let offset = 0;
    for (const teacher of teachers) {
      const predicted = sliceArgmax(teacher, weights, biases, offset, teachers.length, context.val, classes);
      sliceAccuracy[teacher.modality] = mean(correctness(actual, predicted));
      offset += teacher.features.dim;
    }
    const linearProbeAccuracy = mean(classifierCorrect);
    const averagedPredictionAccuracy = mean(averagedCorrect);
    // Paper 3.3: "If the performance of the classifier is better … choose UMT; otherwise … UME."
    const ruled: ChosenMethod = linearProbeAccuracy > averagedPredictionAccuracy ? 'umt' : 'ume';
    const decision: Decision = {
      method: requested === 'auto' ? ruled : requested,
      overridden: requested !== 'auto' && requested !== ruled,
      linearProbeAccuracy,
      averagedPredictionAccuracy,
      sliceAccuracy,
      differenceInterval: bootstrapDifference(classifierCorrect, averagedCorrect, context.config.bootstrapSamples, context.config.seed),
      split: 'val',
    };
    context.emit({ type: 'decision', decision });
    return decision;
  });
}

/** Predictions of one modality's slice of the linear classifier: `F_m W[rows of m] + b / K`. */
function sliceArgmax(teacher: TrainedTeacher, kernel: Float32Array, bias: Float32Array, rowOffset: number, modalityCount: number, indices: number[], classes: number): Int32Array {
  const dim = teacher.features.dim;
  const rows = teacher.features.rows(indices);
  const logits = new Float32Array(indices.length * classes);
  for (let i = 0; i < indices.length; i += 1) {
    for (let c = 0; c < classes; c += 1) {
      let sum = (bias[c] ?? 0) / modalityCount;
      for (let d = 0; d < dim; d += 1) sum += (rows[i * dim + d] ?? 0) * (kernel[(rowOffset + d) * classes + c] ?? 0);
      logits[i * classes + c] = sum;
    }
  }
  return argmaxRows(logits, classes);
}
