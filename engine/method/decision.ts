import type { ChosenMethod, Decision, Method, RunConfig } from '../protocol/run';
import { labelsAt, type RunContext } from './context';
import { concatFeatures } from '../train/data-source';
import { linearProbabilities, trainLinear } from './linear-probe';
import { accuracyOf as mean, argmaxRows, bootstrapDifference, correctness } from './metrics';
import { averagePredictions } from './methods/ume';
import { inPhase } from './phase';
import { stratifiedHoldout } from './holdout';
import { seedStat } from '../protocol/seed-stat';
import type { TrainedTeacher } from './teachers';

/** One seed's evidence for the decision trick, on the validation split. */
export interface DecisionEvidence {
  classifierCorrect: Uint8Array;
  averagedCorrect: Uint8Array;
  sliceAccuracy: Record<string, number>;
  /** The epoch the classifier's early stopping kept, on the held-out part of the training split. */
  selectedEpoch: number;
}

/**
 * The share of each class of the training split held out to early-stop the decision classifier (ours, as
 * the automatic validation split's 1/8). Stopping it on the validation split it is then compared on would
 * give it a choice the averaged teachers do not get, and so favour UMT: the trick would grade its own homework.
 */
export const DECISION_HOLDOUT_SHARE = 1 / 8;

/**
 * The paper's decision trick (3.3, 4.2) for one seed's teachers: a multi-modal linear classifier on the
 * frozen teachers' features versus the average of the teachers' predictions, on the validation split. Also
 * each modality's slice of that classifier alone (A.7.1: its weight columns for the modality, bias divided
 * by K), which shows laziness inside the classifier.
 */
export async function decisionEvidence(context: RunContext, teachers: TrainedTeacher[]): Promise<DecisionEvidence> {
  return inPhase(context, { phase: 'decision' }, async () => {
    const classes = context.classes.length;
    const joined = concatFeatures(
      teachers.map((t) => t.features),
      context.all.length,
    );
    const split = stratifiedHoldout(context.train, context.labels, DECISION_HOLDOUT_SHARE, context.seed * 104_729 + 3);
    const { model: classifier, bestEpoch } = await trainLinear(
      context,
      { phase: 'decision' },
      joined,
      'decision_classifier',
      split,
    );
    const actual = labelsAt(context, context.val);
    const classifierPredicted = argmaxRows(
      await linearProbabilities(classifier, joined, context.val, context.config.batchSize),
      classes,
    );
    const averagedPredicted = argmaxRows(averagePredictions(teachers, context.val, classes), classes);
    const [kernel, bias] = classifier.getWeights();
    const weights = (await kernel!.data()) as Float32Array;
    const biases = (await bias!.data()) as Float32Array;
    classifier.dispose();
    const sliceAccuracy: Record<string, number> = {};
    let offset = 0;
    for (const teacher of teachers) {
      sliceAccuracy[teacher.modality] = mean(
        correctness(actual, sliceArgmax(teacher, weights, biases, offset, teachers.length, context.val, classes)),
      );
      offset += teacher.features.dim;
    }
    return {
      classifierCorrect: correctness(actual, classifierPredicted),
      averagedCorrect: correctness(actual, averagedPredicted),
      sliceAccuracy,
      selectedEpoch: bestEpoch,
    };
  });
}

/**
 * The trick's ruling over the run's seeds (paper 3.3: "If the performance of the classifier is better …
 * choose UMT; otherwise … UME"), on the mean over seeds, with a bootstrap 95% interval of the difference over
 * samples and seeds (shown, never used to overrule). `requested` other than auto is the user's choice.
 */
export function decide(
  evidence: DecisionEvidence[],
  requested: Method,
  config: Pick<RunConfig, 'bootstrapSamples' | 'seed'>,
): Decision {
  const linearProbeAccuracy = seedStat(evidence.map((e) => mean(e.classifierCorrect))).mean;
  const averagedPredictionAccuracy = seedStat(evidence.map((e) => mean(e.averagedCorrect))).mean;
  const modalities = Object.keys(evidence[0]?.sliceAccuracy ?? {});
  const sliceAccuracy = Object.fromEntries(
    modalities.map((m) => [m, seedStat(evidence.map((e) => e.sliceAccuracy[m] ?? 0)).mean]),
  );
  const ruled: ChosenMethod = linearProbeAccuracy > averagedPredictionAccuracy ? 'umt' : 'ume';
  return {
    method: requested === 'auto' ? ruled : requested,
    overridden: requested !== 'auto' && requested !== ruled,
    linearProbeAccuracy,
    averagedPredictionAccuracy,
    sliceAccuracy,
    differenceInterval: bootstrapDifference(
      evidence.map((e) => e.classifierCorrect),
      evidence.map((e) => e.averagedCorrect),
      config.bootstrapSamples,
      config.seed,
    ),
    split: 'val',
    selection: { split: 'train-holdout', share: DECISION_HOLDOUT_SHARE, epochs: evidence.map((e) => e.selectedEpoch) },
  };
}

/** Predictions of one modality's slice of the linear classifier: `F_m W[rows of m] + b / K`. */
function sliceArgmax(
  teacher: TrainedTeacher,
  kernel: Float32Array,
  bias: Float32Array,
  rowOffset: number,
  modalityCount: number,
  indices: number[],
  classes: number,
): Int32Array {
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
