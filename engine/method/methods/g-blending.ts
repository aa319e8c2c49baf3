import { SeededRandom } from '../../util/random';
import { phaseOf, seedsFor, sharedFitOptions, type RunContext } from '../context';
import { CacheSource } from '../../train/data-source';
import { fitModel } from '../../train/fit';
import { runModel } from '../../train/predict';
import { recipeFitOptions, runRecipe } from '../recipe';
import { buildFusion, buildTeacher } from '../../train/models/networks';
import { inPhase } from '../phase';
import { trainFusedModel } from './fused-training';
import { weightedHeadLosses } from './aux-ce';
import type { TrainingMethod } from './method';

/**
 * One head's losses, each evaluated (inference mode, mean cross-entropy over the whole part) on the part of
 * the training split its estimation trains on (L^T) and on the held-out part (L^V), at initialisation, before
 * any step (0), and after the N estimation epochs (N): the four numbers the paper's ratio compares.
 */
export interface LossCurve {
  trainLoss0: number;
  heldOutLoss0: number;
  trainLossN: number;
  heldOutLossN: number;
}

/**
 * Offline Gradient-Blending's weights (Wang et al., CVPR 2020, "What Makes Training Multi-modal
 * Classification Networks Hard?", §3.2–3.3). Over the N epochs, a head's generalization is the drop of its
 * held-out loss, G = L^V_0 − L^V_N, and its overfitting the growth of the gap O = L^V − L^T,
 * ΔO = O_N − O_0. The weight that minimises the blend's overfitting-to-generalization ratio is
 * w_k = G_k / ΔO_k² normalised to sum to 1 (their Proposition 1 and Eq. 6, with the gradient inner product
 * estimated by G and its variance by ΔO²). A head whose held-out loss did not drop (G ≤ 0) gets 0: it does
 * not generalize, and G/ΔO² would be a negative weight. Here we follow neither public re-implementation:
 * MultiBench's gradient_blend.py (its `delta` path) and BalanceBenchmark's GBlending_trainer take |G|, which
 * rewards a held-out loss that rose as much as one that fell (MultiBench's default path uses L^V_N / O_N²
 * instead of G / ΔO²). ΔO² is floored at 1e-6 so that a head with no measurable overfitting gets a large but
 * finite weight. When no head generalizes, the weights are equal. Returns the weights in the order of `curves`.
 */
export function gBlendWeights(curves: LossCurve[]): number[] {
  const raw = curves.map((c) => {
    const generalization = c.heldOutLoss0 - c.heldOutLossN;
    const overfitting = c.heldOutLossN - c.trainLossN - (c.heldOutLoss0 - c.trainLoss0);
    return generalization > 0 ? generalization / Math.max(overfitting ** 2, 1e-6) : 0;
  });
  const total = raw.reduce((s, w) => s + w, 0);
  return raw.map((w) => (total > 0 ? w / total : 1 / curves.length));
}

/** Mean softmax cross-entropy of logit rows `[indices.length, classes]` against the samples' labels, in float64. */
export function meanCrossEntropy(logits: Float32Array, labels: Int32Array, indices: number[], classes: number): number {
  let sum = 0;
  indices.forEach((index, row) => {
    const at = row * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c += 1) max = Math.max(max, logits[at + c] ?? -Infinity);
    let total = 0;
    for (let c = 0; c < classes; c += 1) total += Math.exp((logits[at + c] ?? 0) - max);
    sum += max + Math.log(total) - (logits[at + (labels[index] ?? 0)] ?? 0);
  });
  return indices.length > 0 ? sum / indices.length : 0;
}

/** The share of the training split held out to measure generalization (ours; the paper holds out a part of train). */
export const HELD_OUT_SHARE = 0.2;

/** Splits the training split into the part the estimation trains on and the held-out part, by the run's seed. */
export function holdOut(
  context: Pick<RunContext, 'train' | 'seed'>,
  share = HELD_OUT_SHARE,
): { fit: number[]; heldOut: number[] } {
  if (context.train.length < 2)
    throw new Error(
      `G-Blending needs at least 2 training samples to hold some out; the training split has ${context.train.length}.`,
    );
  const order = new SeededRandom(context.seed * 7_919 + 17).shuffle([...context.train]);
  const count = Math.min(Math.max(1, Math.round(order.length * share)), order.length - 1);
  const heldOut = new Set(order.slice(0, count));
  // Both parts keep the split's order, so batches do not depend on the shuffle above.
  return { fit: context.train.filter((i) => !heldOut.has(i)), heldOut: context.train.filter((i) => heldOut.has(i)) };
}

/**
 * Trains one head's model from scratch on the fit part for the estimation epochs; its loss curve. `m` is the
 * modality's index, or null for the fused model.
 */
async function estimateHead(
  context: RunContext,
  m: number | null,
  parts: { fit: number[]; heldOut: number[] },
): Promise<LossCurve> {
  const head = m === null ? 'fused' : `head-${context.modalities[m]?.name ?? m}`;
  const ref = { phase: 'g-blending' as const, model: `estimate-${head}` };
  const { config } = context;
  const epochs = config.gBlendEpochs;
  const { curve } = await inPhase(context, ref, async () => {
    const seeds = seedsFor(context, `g-blending:${head}`);
    const model =
      m !== null
        ? buildTeacher(context.modalities[m]!, context.classes.length, config, seeds)
        : buildFusion(context.modalities, context.classes.length, config, seeds, 'g_blending_estimate');
    const source = new CacheSource(context.reader, m !== null ? [m] : context.modalities.map((_, i) => i));
    // Evaluated, not the running mean of a training epoch: inference mode (batch norm's moving statistics),
    // the whole part, the same weights for both parts; through runModel, so on webgpu the compiled network
    // computes the logits, as it evaluates every other model there.
    const losses = async () =>
      Promise.all(
        [parts.fit, parts.heldOut].map(async (indices) => {
          const [logits] = await runModel(model, source, indices, config.batchSize, false);
          return meanCrossEntropy(logits!, context.labels, indices, context.classes.length);
        }),
      );
    try {
      const [trainLoss0, heldOutLoss0] = await losses();
      const fit = await fitModel({
        ...sharedFitOptions(context),
        trainIndices: parts.fit,
        valIndices: parts.heldOut,
        // No early stopping, and the last epoch's weights: the curve runs its whole length, as the paper's.
        patience: epochs,
        minEpochs: epochs,
        keepLastWeights: true,
        phase: phaseOf(context, ref),
        model,
        source,
        epochs,
        ...recipeFitOptions(runRecipe(config)),
        seed: seeds.take(),
        checkpoint: context.checkpoints?.forPhase(phaseOf(context, ref)),
      });
      const [trainLossN, heldOutLossN] = await losses();
      return {
        curve: {
          trainLoss0: trainLoss0!,
          heldOutLoss0: heldOutLoss0!,
          trainLossN: trainLossN!,
          heldOutLossN: heldOutLossN!,
        },
        fit,
      };
    } finally {
      model.dispose();
    }
  });
  return curve;
}

/**
 * G-Blending, offline (Wang et al. 2020, Algorithm 1 offline; the paper §4.3, Table 3.4 compares UMT with it):
 * each modality's uni-modal model and the late-fusion model train from scratch for `gBlendEpochs` epochs on
 * 80% of the training split; their losses on the other 20% (never on validation or test) give each head's
 * weight ({@link gBlendWeights}). Then a late-fusion network with one linear head per modality trains on the
 * whole training split with loss w_fused·CE(fused) + Σ w_u·CE(head_u), and predicts with the fused head.
 * The weights are recorded with the run (per seed).
 */
export const gBlending: TrainingMethod = {
  id: 'g-blending',
  label: 'G-Blending',
  reference:
    'Wang et al. 2020 (CVPR), "What Makes Training Multi-modal Classification Networks Hard?" (offline Gradient-Blending)',
  needsTeachers: false,
  trains:
    'a uni-modal model per modality and a late-fusion model for the estimation epochs on 80% of the training split, then one fused network with a head per modality, as long as late fusion',
  loss: () =>
    "w_fused × cross-entropy of the fused head + Σ_modalities w_m × cross-entropy of each modality's own head, weights estimated on a held-out part of the training split",
  trainsIn: ({ requested }) => requested.includes('g-blending'),
  train: async (context) => {
    const { run } = context;
    const started = Date.now();
    const parts = holdOut(run);
    const curves: LossCurve[] = [];
    // The modalities' heads, then the fused head.
    for (const m of [...run.modalities.map((_, i) => i), null]) curves.push(await estimateHead(run, m, parts));
    const weights = gBlendWeights(curves);
    const fusedWeight = weights.at(-1) ?? 0;
    const candidate = await trainFusedModel(context, {
      method: 'g-blending',
      phase: { phase: 'g-blending' },
      auxiliaryHeads: true,
      taskLossWeight: fusedWeight,
      // The fused head's weight goes to its cross-entropy, the task loss; the modality heads' to theirs.
      extraLoss: weightedHeadLosses(run.labels, run.classes.length, weights.slice(0, -1)),
    });
    const estimated = [
      { label: 'weight of the fused head', value: fusedWeight },
      ...run.modalities.map((m, i) => ({ label: `weight of ${m.name}'s head`, value: weights[i] ?? 0 })),
    ];
    const names = [...run.modalities.map((m) => m.name), 'fused'];
    const heads = curves.map((curve, i) => ({ head: names[i] ?? 'fused', ...curve, weight: weights[i] ?? 0 }));
    return [{ ...candidate, estimated, heads, trainingMs: Date.now() - started }];
  },
};
