import * as tf from '@tensorflow/tfjs';
import { featureDim, layerName } from '../../train/models/networks';
import { trainFusedModel } from './fused-training';
import type { GradientHook } from '../../train/loss-terms';
import type { TrainingMethod } from './method';
import type { Recipe } from '../../protocol/run';
import { recipeFor } from '../recipe';
import { gaussianNoise, stepNoiseKey, weightNoiseKey } from '../../runtime/ogm-noise';
import { CoefficientTally } from '../../train/coefficient-tally';

/**
 * OGM-GE (Peng et al., CVPR 2022, "Balanced Multimodal Learning via On-the-fly Gradient Modulation"; the
 * authors' code GeWu-Lab/OGM-GE_CVPR2022, main.py `train_epoch`). Every rule below cites it.
 *
 * Each step, for each modality u, the logits of its part of the fused linear head,
 * `out_u = f_u · W_u + b / M` (main.py: `fc_out.weight[:, :512]` and `bias / 2` for two modalities), give a
 * score `s_u = Σ_batch softmax(out_u)[true class]` (main.py `score_a`, `score_v`). The discrepancy ratio
 * ρ_u = s_u / min_v s_v and the coefficient k_u = 1 − tanh(α·ρ_u) when ρ_u > 1, else 1 (the paper's Eq. 10;
 * main.py: `1 - tanh(alpha * relu(ratio))`, not α·(ρ − 1)). With two modalities this is exactly the paper's
 * rule: the dominant one has ρ = s_dom / s_weak, the other ρ = 1. With more, every modality that scores above
 * the weakest is slowed in proportion, the weakest never: BalanceBenchmark's OGM trainer divides by the
 * minimum score the same way for three modalities (GeWu-Lab/BalanceBenchmark, balancemm/trainer/OGM_trainer.py).
 *
 * Each encoder weight's gradient (every weight of rank ≥ 2: kernels, not biases or batch-norm scales, as
 * BalanceBenchmark; the original modulates only its ResNets' 4-D conv kernels, and this extension to the
 * dense kernels of MLP encoders is ours) becomes g·k_u, and GE adds Gaussian noise N(0, σ) with σ the
 * standard deviation of the gradient *before* modulation plus 1e-8, to every modality's encoder, the weakest
 * included. main.py:
 *   `parms.grad = parms.grad * coeff_a + torch.zeros_like(parms.grad).normal_(0, parms.grad.std().item() + 1e-8)`
 * evaluates its right-hand side before assigning, so `parms.grad.std()` is the unmodulated gradient's
 * (PyTorch's std is unbiased). An earlier version here took std(g·k), which shrinks the noise by k. Modulation runs in the first part of training only: the authors'
 * default is epochs 0 to 50 of 100 (`--modulation_starts 0 --modulation_ends 50`), here the first
 * `ogmModulatedShare` (0.5) of the epochs; α is `ogmAlpha`, 0.1 by default (the authors' default setting; they
 * recommend 0.1 for VGGSound and 0.8 for CREMA-D).
 */
export interface OgmSettings {
  alpha: number;
  /** The last modulated epoch (epochs count from 1). */
  lastModulatedEpoch: number;
  /** Seeds the GE noise; with (epoch, step, modality, weight) it fixes every draw (ogm-noise.ts), so runs repeat. */
  seed: number;
  /** Sums the coefficients of the modulated steps, when given (the run records their means). */
  tally?: CoefficientTally;
}

/** k_u from the modalities' scores s_u (plain numbers; the hook computes the same on the device). */
export function ogmCoefficients(scores: number[], alpha: number): number[] {
  const weakest = Math.min(...scores);
  return scores.map((s) => {
    const ratio = s / weakest;
    return ratio > 1 ? 1 - Math.tanh(alpha * ratio) : 1;
  });
}

/** The last epoch OGM-GE modulates: the first `share` of `epochs` (the authors': 50 of 100). */
export function lastModulatedEpoch(epochs: number, share: number): number {
  return Math.round(epochs * share);
}

/** Where each modality's features sit in a fused model: its encoder's weights and its rows of the head. */
export interface FusedLayout {
  /** Variable names of modality u's encoder weights of rank ≥ 2. */
  encoderWeights: string[][];
  /** The fused head's kernel `[Σ features, classes]` and bias `[classes]`. */
  headKernel: tf.Variable;
  headBias: tf.Variable;
  /** Feature sizes, in the order of the head's rows. */
  featureSizes: number[];
}

export function fusedLayout(model: tf.LayersModel, modalities: string[]): FusedLayout {
  const head = model.getLayer('head_fused');
  const [kernel, bias] = head.trainableWeights.map((w) => w.read() as tf.Variable);
  if (!kernel || !bias) throw new Error('The fused head has no kernel and bias.');
  const encoders = modalities.map((m) => model.getLayer(layerName('encoder', m)));
  return {
    encoderWeights: encoders.map((e) =>
      e.trainableWeights.filter((w) => w.shape.length >= 2).map((w) => (w.read() as tf.Variable).name),
    ),
    headKernel: kernel,
    headBias: bias,
    // The encoder's own output, not `outputShape`: tfjs calls that ill-defined for a Sequential of one layer
    // applied in the fused model (its two inbound nodes report the shape nested differently).
    featureSizes: encoders.map((e) => featureDim(e as tf.Sequential)),
  };
}

/** s_u of each modality on the batch, as a `[M]` tensor: the features are outputs 1…M of the fused model. */
export function ogmScores(layout: FusedLayout, features: tf.Tensor[], targets: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const modalities = layout.featureSizes.length;
    const share = tf.div(layout.headBias, modalities);
    let row = 0;
    const scores = layout.featureSizes.map((size, u) => {
      const weights = tf.slice(layout.headKernel, [row, 0], [size, -1]);
      row += size;
      const logits = tf.add(tf.matMul(features[u] as tf.Tensor2D, weights), share);
      return tf.sum(tf.mul(tf.softmax(logits), targets));
    });
    return tf.stack(scores) as tf.Tensor1D;
  });
}

/** The gradient hook: modulation and GE noise on the encoders' gradients, during the modulated epochs. */
export function ogmGradientHook(layout: FusedLayout, settings: OgmSettings): GradientHook {
  const hook: GradientHook = (grads, { outputs, targets, epoch, step }) => {
    if (epoch > settings.lastModulatedEpoch) return grads;
    const modulated: tf.NamedTensorMap = { ...grads };
    const stepKey = stepNoiseKey(settings.seed, epoch, step);
    tf.tidy(() => {
      const scores = ogmScores(layout, outputs.slice(1, 1 + layout.featureSizes.length), targets);
      const ratios = tf.div(scores, tf.min(scores));
      const coefficients = tf.where(
        tf.greater(ratios, 1),
        tf.sub(1, tf.tanh(tf.mul(ratios, settings.alpha))),
        tf.onesLike(ratios),
      );
      settings.tally?.addTensor(coefficients);
      layout.encoderWeights.forEach((names, u) => {
        const k = tf.slice(coefficients, [u], [1]).reshape([]);
        names.forEach((name, w) => {
          const g = grads[name];
          if (!g) return;
          const scaled = tf.mul(g, k);
          // σ of g itself, not of g·k: main.py reads parms.grad.std() before the assignment changes it.
          const noise = tf.mul(
            tf.tensor(gaussianNoise(weightNoiseKey(stepKey, u, w), g.size), g.shape),
            tf.add(unbiasedStd(g), 1e-8),
          );
          modulated[name] = tf.keep(tf.add(scaled, noise));
        });
      });
    });
    return modulated;
  };
  hook.modulation = settings;
  return hook;
}

/** PyTorch's `std()` (unbiased), two-pass: Σ(x − mean)² / (n − 1), exact 0 for a constant gradient. */
function unbiasedStd(x: tf.Tensor): tf.Scalar {
  const n = x.size;
  const squares = tf.sum(tf.square(tf.sub(x, tf.mean(x))));
  return tf.sqrt(tf.div(squares, Math.max(n - 1, 1))) as tf.Scalar;
}

/**
 * OGM-GE as its authors train it (GeWu-Lab/OGM-GE_CVPR2022 main.py): `optim.SGD(model.parameters(),
 * lr=args.learning_rate, momentum=0.9, weight_decay=1e-4)` and `lr_scheduler.StepLR(optimizer,
 * args.lr_decay_step, args.lr_decay_ratio)` with the defaults lr 1e-3, step 70 of 100 epochs, ratio 0.1.
 * Under Adam, which divides each parameter's step by its own gradient's running size, the slowly varying
 * coefficient k largely cancels and mostly the noise remains: OGM-GE under Adam is not OGM-GE.
 */
export const OGM_GE_RECIPE: Recipe = {
  optimizer: 'sgd',
  learningRate: 1e-3,
  momentum: 0.9,
  weightDecay: 1e-4,
  schedule: 'step',
  stepShare: 0.7,
};

export const ogmGe: TrainingMethod = {
  id: 'ogm-ge',
  label: 'OGM-GE',
  reference:
    'Peng et al. 2022 (CVPR), "Balanced Multimodal Learning via On-the-fly Gradient Modulation"; code GeWu-Lab/OGM-GE_CVPR2022',
  needsTeachers: false,
  trains: 'one fused network, as long as late fusion (a little more per step)',
  loss: (config) =>
    `cross-entropy of the fused head; the dominant modalities' encoder gradients scaled by 1 − tanh(${config.ogmAlpha}·ρ) with Gaussian noise (GE) in the first ${Math.round(config.ogmModulatedShare * 100)}% of the epochs`,
  recipe: OGM_GE_RECIPE,
  trainsIn: ({ requested }) => requested.includes('ogm-ge'),
  train: async (context) => {
    const { run } = context;
    const names = run.modalities.map((m) => m.name);
    const tally = new CoefficientTally(names.length);
    try {
      const candidate = await trainFusedModel(context, {
        method: 'ogm-ge',
        phase: { phase: 'ogm-ge' },
        recipe: recipeFor(OGM_GE_RECIPE, run.config),
        gradientHook: (model) =>
          ogmGradientHook(fusedLayout(model, names), {
            alpha: run.config.ogmAlpha,
            lastModulatedEpoch: lastModulatedEpoch(run.config.epochs, run.config.ogmModulatedShare),
            seed: run.seed,
            tally,
          }),
      });
      const means = await tally.means();
      if (!means) return [candidate];
      const modulation = means.map((m, u) => ({ modality: names[u] ?? String(u), ...m }));
      // k = 1: the encoder learned at full speed; below 1, OGM-GE slowed it as the dominant modality.
      const estimated = modulation.map((m) => ({
        label: `${m.modality}'s gradient scale k (mean of ${m.steps} modulated steps)`,
        value: m.meanCoefficient,
      }));
      return [{ ...candidate, estimated, modulation }];
    } finally {
      tally.dispose();
    }
  },
};
