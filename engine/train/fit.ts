import * as tf from '@tensorflow/tfjs';
import type { EpochMetrics, OptimizerName, PhaseRef, RunEvent, ScheduleName } from '../protocol/run';
import { SeededRandom } from '../util/random';
import type { DataSource } from './data-source';
import { applyModel } from './models/networks';
import type { PhaseCheckpoint } from './checkpoint';
import { resumeFrom, saveCheckpoint } from './fit-checkpoint';
import { hitCount, oneHotTargets } from './batch-targets';
import { isLinearClassifier, linearStep } from './linear-step';
import { LearningRateSchedule } from './schedule';
import { shouldStop } from './early-stopping';
import { AppError } from '../protocol/errors';
import { divergenceError } from './divergence';
import { loadUsableCheckpoint } from './fit-checkpoint';
import type { ExtraLoss, GradientHook } from './loss-terms';
import { stepNoiseKey } from '../runtime/ogm-noise';
import { makeOptimizer } from './optimizers';
import { MODALITY_DROPOUT_LAYER } from './models/networks';
import type { ModalityDropout } from './models/modality-dropout';
import { CompiledTrainer } from './compiled/compiled-trainer';
import type { FitResult } from './fit-result';

const YIELD_EVERY_MS = 50;

export interface FitOptions {
  phase: PhaseRef;
  /** Output 0 must be the logits `[batch, classes]`. */
  model: tf.LayersModel;
  source: DataSource;
  /** Class index of every sample (indexed like the source). */
  labels: Int32Array;
  classes: number;
  trainIndices: number[];
  valIndices: number[];
  /**
   * Keep the last epoch's weights instead of restoring the best validation epoch's: for a run of fixed length
   * whose end state is what is measured (G-Blending's estimation compares the losses before and after N epochs).
   */
  keepLastWeights?: boolean;
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  schedule: ScheduleName;
  /** SGD's momentum (default 0.9); Adam ignores it. */
  momentum?: number;
  /**
   * L2 weight decay: wd·w added to each weight's gradient after any gradient hook and before the optimizer,
   * as PyTorch's `weight_decay` (OGM-GE's recipe: main.py's SGD has 1e-4, applied after its modulation).
   */
  weightDecay?: number;
  /** `step` schedule: the share of the epochs after which the rate drops ×0.1 (default ½). */
  stepShare?: number;
  /** Early stopping: epochs without a better smoothed validation accuracy (engine/train/early-stopping.ts). */
  patience: number;
  /** Early stopping never stops a phase before this many epochs. */
  minEpochs: number;
  seed: number;
  /** Added to the cross-entropy on training batches (UMT's distillation); built from the model's outputs. */
  extraLoss?: ExtraLoss;
  /** Weight of the fused head's cross-entropy (1 when absent); G-Blending weighs every head's loss. */
  taskLossWeight?: number;
  /** Changes the gradients between `variableGrads` and `applyGradients` (OGM-GE); see {@link GradientHook}. */
  gradientHook?: GradientHook;
  /**
   * Modality dropout: which modality's features a training step zeroes (null: none), from its epoch and step
   * within the epoch; the model has the dropout layer (models/modality-dropout.ts).
   */
  droppedModality?: (step: { epoch: number; step: number }) => number | null;
  emit: (event: RunEvent) => void;
  signal?: AbortSignal;
  /** Saved after every epoch and at the end; a phase found finished or part-way is continued from it. */
  checkpoint?: PhaseCheckpoint;
}

/**
 * The one training loop: seeded shuffling, mini-batches, gradients with `tf.variableGrads`, Adam or SGD,
 * the LR schedule, and early stopping on validation accuracy that restores the best weights (BN statistics
 * included). Loss and accuracy are summed on the device and read once per epoch, not per batch.
 */
export async function fitModel(options: FitOptions): Promise<FitResult> {
  const { model, phase } = options;
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  // Nothing hooked into the step: the faster steps below may take it (the linear one with cross-entropy alone;
  // the compiled one also with UMT's distillation or the auxiliary heads' weighted cross-entropies, its kernels'.)
  // OGM-GE's hook declares its modulation, which the compiled step computes in its own kernels.
  const modulation = options.gradientHook?.modulation ?? null;
  // Weight decay is in the compiled optimizers' kernels, not in the written-out linear step.
  const decayed = (options.weightDecay ?? 0) > 0;
  const unhooked = !options.gradientHook || modulation !== null;
  const dropout = options.droppedModality ? (model.getLayer(MODALITY_DROPOUT_LAYER) as ModalityDropout) : null;
  const plain = unhooked && !decayed && !options.extraLoss && options.taskLossWeight === undefined;
  // Linear classifiers on fixed features (probes, the decision trick) take the written-out gradient.
  const step: typeof trainStep = plain && isLinearClassifier(model) ? linearStep : trainStep;
  const optimizer = makeOptimizer(options.optimizer, options.learningRate, options.momentum);
  const schedule = new LearningRateSchedule(options.schedule, options.learningRate, options.epochs, {
    stepShare: options.stepShare,
  });
  const random = new SeededRandom(options.seed);
  const batches = Math.ceil(options.trainIndices.length / options.batchSize);
  const history: EpochMetrics[] = [];
  let best: { accuracy: number; epoch: number; weights: tf.Tensor[] } | null = null;
  let stoppedEarly = false;
  let lastYield = Date.now();
  let firstEpoch = 1;
  const saved = options.checkpoint ? await loadUsableCheckpoint(options.checkpoint, model, phase, options.emit) : null;
  if (saved) {
    const resumed = await resumeFrom(saved, model, optimizer);
    if (resumed.finished) {
      disposeOptimizer(optimizer);
      return resumed.finished;
    }
    random.state = saved.randomState;
    schedule.state = saved.schedule;
    history.push(...saved.history);
    best = resumed.best;
    firstEpoch = saved.epoch + 1;
  }
  // On the webgpu backend, a network the engine builds (MLP or CNN encoders, or a linear classifier on fixed
  // features) trains on its compiled step (engine/runtime/webgpu): one submit per step instead of a few hundred
  // tfjs ops. Everything else runs as on any backend.
  const { distillation, auxiliary } = options.extraLoss ?? {};
  const compiled =
    unhooked && (!options.extraLoss || distillation || auxiliary)
      ? await CompiledTrainer.create(
          {
            model,
            batchSize: options.batchSize,
            classes: options.classes,
            optimizer: options.optimizer,
            ...(decayed ? { weightDecay: options.weightDecay } : {}),
            source: options.source,
            ...(distillation ? { distillation } : {}),
            ...(auxiliary ? { auxiliary } : {}),
            ...(options.taskLossWeight !== undefined ? { taskWeight: options.taskLossWeight } : {}),
            modalityDropout: dropout !== null,
            ...(modulation ? { gradientModulation: { alpha: modulation.alpha } } : {}),
            resident: { indices: [...options.trainIndices, ...options.valIndices], labels: options.labels },
          },
          variables,
        )
      : null;
  if (compiled && saved) await compiled.importState(model, optimizer);
  if (compiled)
    options.emit({
      type: 'log',
      level: 'info',
      message: `${[phase.phase, phase.modality, phase.model].filter(Boolean).join(' ')}: training on the compiled WebGPU step (${compiled.dispatchCount} dispatches, one submit per step${compiled.residentData ? ', training and validation splits resident on the GPU, validation evaluated there' : ''})`,
    });
  const checkpoint = async (epoch: number, done: boolean) => {
    if (compiled && options.checkpoint && !done) await compiled.exportOptimizer(optimizer);
    if (options.checkpoint)
      await saveCheckpoint(
        options.checkpoint,
        { epoch, done, history, randomState: random.state, schedule: schedule.state, best, stoppedEarly },
        model,
        optimizer,
      );
  };
  try {
    for (let epoch = firstEpoch; epoch <= options.epochs; epoch += 1) {
      const started = Date.now();
      setLearningRate(optimizer, schedule.rate);
      // A fresh permutation of the original order each epoch: it depends only on the RNG state, which a
      // checkpoint restores, so a resumed phase sees the same batches as an unbroken one.
      const order = random.shuffle([...options.trainIndices]);
      let lossSum: tf.Tensor = tf.scalar(0);
      let correct: tf.Tensor = tf.scalar(0);
      // The extra loss terms (UMT's distillation) summed apart, so the curves can show them apart; only
      // for a phase that has them (the probes' ~7,000 steps a run add nothing to their batch loop).
      let extraSum: tf.Tensor | null = options.extraLoss ? tf.scalar(0) : null;
      for (let b = 0; b < batches; b += 1) {
        if (options.signal?.aborted) {
          [lossSum, correct, extraSum].forEach((t) => t?.dispose());
          throw new AppError('aborted', 'The run was cancelled.');
        }
        const batch = order.slice(b * options.batchSize, (b + 1) * options.batchSize);
        const dropped = options.droppedModality?.({ epoch, step: b }) ?? null;
        if (compiled) {
          compiled.train(options.source, options.labels, batch, schedule.rate, {
            dropped,
            noiseKey:
              modulation && epoch <= modulation.lastModulatedEpoch ? stepNoiseKey(modulation.seed, epoch, b) : null,
          });
        } else {
          if (dropout) dropout.dropped = dropped;
          const { loss, hits, extra } = step(options, batch, variables, optimizer, { epoch, step: b });
          const [nextLoss, nextCorrect] = tf.tidy(() => [lossSum.add(loss.mul(batch.length)), correct.add(hits)]);
          if (extraSum && extra) {
            const nextExtra = tf.tidy(() => (extraSum as tf.Tensor).add(extra.mul(batch.length)));
            extraSum.dispose();
            extraSum = nextExtra;
          }
          [lossSum, correct, loss, hits, extra].forEach((t) => t?.dispose());
          lossSum = nextLoss as tf.Tensor;
          correct = nextCorrect as tf.Tensor;
        }
        options.emit({ type: 'batch', ...phase, epoch, epochs: options.epochs, batch: b + 1, batches });
        if (Date.now() - lastYield > YIELD_EVERY_MS) {
          // Let the host's messages (a cancel request, progress writes) through between batches.
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = Date.now();
        }
      }
      const onGpu = compiled ? await compiled.endEpoch(model) : null;
      if (onGpu?.modulation) modulation?.tally?.addSums(onGpu.modulation.sums, onGpu.modulation.steps);
      const trainLoss = onGpu ? onGpu.loss : (await lossSum.data())[0]! / order.length;
      const trainAccuracy = onGpu ? onGpu.accuracy : (await correct.data())[0]! / order.length;
      const trainExtraLoss = onGpu
        ? onGpu.extraLoss
        : extraSum
          ? (await extraSum.data())[0]! / order.length
          : undefined;
      [lossSum, correct, extraSum].forEach((t) => t?.dispose());
      // With the data resident on the GPU, the compiled network evaluates the validation split there too.
      const val =
        (await compiled?.evaluate(options.valIndices)) ??
        (await evaluateLoss(
          model,
          options.source,
          options.labels,
          options.classes,
          options.valIndices,
          options.batchSize,
        ));
      const metrics: EpochMetrics = {
        epoch,
        trainLoss,
        ...(trainExtraLoss !== undefined ? { trainExtraLoss } : {}),
        trainAccuracy,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
        learningRate: schedule.rate,
        durationMs: Date.now() - started,
      };
      const diverged = divergenceError(metrics, phase);
      if (diverged) throw diverged;
      history.push(metrics);
      const improved = !best || val.accuracy > best.accuracy;
      if (improved) {
        best?.weights.forEach((w) => w.dispose());
        best = { accuracy: val.accuracy, epoch, weights: model.getWeights().map((w) => w.clone()) };
      }
      // Emitted after the snapshot, so that the tensor count a listener sees is the same every epoch.
      options.emit({ type: 'epoch', ...phase, ...metrics });
      if (shouldStop(history, options.patience, options.minEpochs)) {
        stoppedEarly = epoch < options.epochs;
        break;
      }
      schedule.afterEpoch(epoch, val.loss);
      await checkpoint(epoch, false);
    }
    if (best && !options.keepLastWeights) model.setWeights(best.weights);
    await checkpoint(history.length, true);
    return { history, bestEpoch: best?.epoch ?? 0, stoppedEarly };
  } finally {
    best?.weights.forEach((w) => w.dispose());
    disposeOptimizer(optimizer);
    compiled?.dispose();
  }
}

/**
 * One optimisation step on one batch: forward in training mode, cross-entropy (+ the extra loss), gradients,
 * the optimizer update. Returns the loss and the hit count as device scalars (never read here). Exported for
 * the step benchmark (bench/), which times exactly this.
 */
export function trainStep(
  options: Pick<
    FitOptions,
    'source' | 'labels' | 'classes' | 'model' | 'extraLoss' | 'gradientHook' | 'taskLossWeight' | 'weightDecay'
  >,
  batch: number[],
  variables: tf.Variable[],
  optimizer: tf.Optimizer,
  at: { epoch: number; step: number } = { epoch: 1, step: 0 },
): { loss: tf.Scalar; hits: tf.Scalar; extra?: tf.Scalar } {
  let hits: tf.Scalar | null = null;
  let extra: tf.Scalar | null = null;
  // Kept out of the tape's scope only when a gradient hook needs them.
  let seen: { outputs: tf.Tensor[]; targets: tf.Tensor2D } | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const inputs = options.source.inputs(batch);
    const targets = oneHotTargets(options.labels, batch, options.classes);
    const outputs = applyModel(options.model, inputs, true);
    const logits = outputs[0] as tf.Tensor2D;
    hits = tf.keep(hitCount(logits, targets));
    if (options.gradientHook) seen = { outputs: outputs.map((o) => tf.keep(o)), targets: tf.keep(targets) };
    const crossEntropy = tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar;
    const taskLoss =
      options.taskLossWeight === undefined ? crossEntropy : (tf.mul(crossEntropy, options.taskLossWeight) as tf.Scalar);
    if (!options.extraLoss) return taskLoss;
    const extraLoss = options.extraLoss(outputs, batch);
    extra = tf.keep(extraLoss);
    return tf.add(taskLoss, extraLoss) as tf.Scalar;
  }, variables);
  const kept = seen as { outputs: tf.Tensor[]; targets: tf.Tensor2D } | null;
  const hooked = options.gradientHook && kept ? options.gradientHook(grads, { ...kept, batch, ...at }) : grads;
  const applied = options.weightDecay ? withWeightDecay(hooked, variables, options.weightDecay) : hooked;
  optimizer.applyGradients(applied);
  Object.values(grads).forEach((g) => g.dispose());
  const original = new Set(Object.values(grads));
  new Set([...Object.values(hooked), ...Object.values(applied)]).forEach((g) => {
    if (!original.has(g)) g.dispose();
  });
  if (kept) [...kept.outputs, kept.targets].forEach((t) => t.dispose());
  return { loss: value, hits: hits as unknown as tf.Scalar, ...(extra ? { extra: extra as tf.Scalar } : {}) };
}

/** g + wd·w for every weight (PyTorch's `weight_decay`, the L2 term's gradient), as new tensors. */
function withWeightDecay(grads: tf.NamedTensorMap, variables: tf.Variable[], weightDecay: number): tf.NamedTensorMap {
  // tf.variableGrads keys the gradients by the variables' names.
  return tf.tidy(() =>
    Object.fromEntries(
      variables.flatMap((variable) => {
        const g = grads[variable.name];
        return g ? [[variable.name, tf.keep(tf.add(g, tf.mul(variable, weightDecay)))]] : [];
      }),
    ),
  );
}

/** Mean cross-entropy and accuracy of output 0 over `indices`, in inference mode. */
export async function evaluateLoss(
  model: tf.LayersModel,
  source: DataSource,
  labels: Int32Array,
  classes: number,
  indices: number[],
  batchSize: number,
): Promise<{ loss: number; accuracy: number }> {
  if (indices.length === 0) return { loss: 0, accuracy: 0 };
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < indices.length; start += batchSize) {
    const batch = indices.slice(start, start + batchSize);
    // Loss and hit count come back in one read: one sync point per validation batch, not two.
    const both = tf.tidy(() => {
      const targets = oneHotTargets(labels, batch, classes);
      const logits = applyModel(model, source.inputs(batch), false)[0] as tf.Tensor2D;
      const loss = tf.mul(tf.losses.softmaxCrossEntropy(targets, logits), batch.length);
      const hits = hitCount(logits, targets);
      return tf.stack([loss, hits]);
    });
    const [loss = 0, hits = 0] = await both.data();
    both.dispose();
    lossSum += loss;
    correct += hits;
  }
  return { loss: lossSum / indices.length, accuracy: correct / indices.length };
}

export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  // Adam reads this field on every step (protected in the typings only). SGD and momentum read a scalar made
  // from it, `c`, which only their setLearningRate renews: setting the field alone left SGD at its first rate
  // whatever the schedule said (while the compiled WebGPU step followed it).
  const sgd = optimizer as unknown as { learningRate: number; setLearningRate?: (rate: number) => void };
  if (sgd.setLearningRate) {
    if (sgd.learningRate !== rate) sgd.setLearningRate(rate);
  } else {
    sgd.learningRate = rate;
  }
}

/**
 * Disposes an optimizer and everything it made: tfjs's MomentumOptimizer.dispose() overrides SGD's and
 * forgets the learning-rate scalar `c` its SGD parent keeps (one tensor leaked per SGD phase otherwise).
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  const rate = (optimizer as unknown as { c?: tf.Tensor }).c;
  optimizer.dispose();
  if (rate && !rate.isDisposed) rate.dispose();
}
