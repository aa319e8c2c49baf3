import * as tf from '@tensorflow/tfjs';
import type { DataSource } from '../data-source';
import type { AuxiliaryTerm, DistillationTerm } from '../loss-terms';
import type { OptimizerName } from '../../protocol/run';
import { COMPILED_OPTIMIZERS } from '../../runtime/webgpu/optimizers';
import { stepMaker } from '../../runtime/webgpu/step-maker';
import { encoderKind, type NetworkStepSpec } from '../../runtime/webgpu/network-layout';
import type { NetworkStepLike, StepOptions } from '../../runtime/webgpu/network-step-like';
import { networkSpecOf } from './network-spec';

/**
 * The training loop's steps on the engine's compiled WebGPU step, for a model it can compile, on tfjs's WebGPU
 * backend (whose device it shares), with Adam or SGD: the loop keeps its shuffling, schedule, evaluation, early
 * stopping and checkpoints; this trains. The tfjs model gets the weights at each epoch's end (for evaluation
 * and the best snapshot), and the tfjs optimizer the Adam state before each checkpoint, so a checkpoint
 * written here resumes on any backend and one written elsewhere resumes here.
 */
export class CompiledTrainer {
  /** Resident mode: each training sample's position in the uploaded split. */
  private positions: Map<number, number> | null = null;

  private constructor(
    private readonly step: NetworkStepLike,
    private readonly variables: tf.Variable[],
    private readonly distillation: DistillationTerm | null,
  ) {}

  /**
   * The trainer, or null where the compiled step cannot train this phase exactly as the tfjs step would:
   * another backend, a network it does not compile, a distillation whose targets do not match the encoders'
   * widths, or auxiliary heads without their loss terms (or terms without the heads).
   */
  static async create(
    options: {
      model: tf.LayersModel;
      batchSize: number;
      classes: number;
      optimizer: OptimizerName;
      weightDecay?: number;
      source: DataSource;
      distillation?: DistillationTerm;
      auxiliary?: AuxiliaryTerm;
      taskWeight?: number;
      modalityDropout?: boolean;
      gradientModulation?: { alpha: number };
      resident?: { indices: number[]; labels: Int32Array };
    },
    variables: tf.Variable[],
  ): Promise<CompiledTrainer | null> {
    const maker = stepMaker();
    if (!maker || !options.source.arrays) return null;
    const plain = networkSpecOf(options.model, options.batchSize, options.classes);
    if (!plain) return null;
    const distillation = options.distillation ?? null;
    if (
      distillation &&
      (distillation.targets.length !== plain.encoders.length ||
        distillation.targets.some((t, m) => t.dim !== encoderKind(plain.encoders[m]!).featureDim(plain.encoders[m]!)))
    )
      return null;
    const auxiliary = options.auxiliary ?? null;
    if (
      Boolean(plain.auxiliaryHeads) !== Boolean(auxiliary) ||
      (auxiliary && auxiliary.weights.length !== plain.encoders.length)
    )
      return null;
    // Modality dropout needs the model's dropout layer (a model with one and no choice per step drops nothing).
    if (options.modalityDropout && !plain.modalityDropout) return null;
    const trained = {
      ...plain,
      optimizer: options.optimizer,
      ...(options.weightDecay ? { weightDecay: options.weightDecay } : {}),
      ...(distillation ? { distillWeight: distillation.weight } : {}),
      ...(auxiliary ? { auxiliaryWeights: auxiliary.weights } : {}),
      ...(options.taskWeight !== undefined ? { taskWeight: options.taskWeight } : {}),
      ...(options.gradientModulation ? { gradientModulation: options.gradientModulation } : {}),
    };
    // The training split stays on the GPU when each of its buffers fits one binding (the device's limit).
    const resident =
      options.resident && fitsResident(plain, options.resident.indices.length, maker.maxBindingBytes)
        ? options.resident
        : null;
    const spec = resident ? { ...trained, residentSamples: resident.indices.length } : trained;
    const trainer = new CompiledTrainer(await maker.create(spec), variables, distillation);
    if (resident) trainer.upload(options.source, resident.indices, resident.labels);
    trainer.step.setWeights(options.model.getWeights().map((w) => w.dataSync() as Float32Array));
    return trainer;
  }

  get dispatchCount(): number {
    return this.step.dispatchCount;
  }

  /**
   * Mean cross-entropy and accuracy of the current weights on these samples (the validation split, uploaded
   * with the training split), computed on the GPU and read back once; null when they are not resident.
   */
  async evaluate(indices: number[]): Promise<{ loss: number; accuracy: number } | null> {
    const positions = this.positions;
    if (!positions || indices.some((i) => !positions.has(i))) return null;
    if (indices.length === 0) return { loss: 0, accuracy: 0 };
    const { meanLoss, accuracy } = await this.step.evaluateResident(indices.map((i) => positions.get(i) as number));
    return { loss: meanLoss, accuracy };
  }

  /** Whether the training split is resident on the GPU (a step then sends only its batch's indices). */
  get residentData(): boolean {
    return this.positions !== null;
  }

  /** Uploads the training split once: every modality's rows, the labels and (UMT) the teachers' features. */
  private upload(source: DataSource, indices: number[], labels: Int32Array): void {
    const arrays = source.arrays?.(indices);
    if (!arrays) throw new Error('This data source gives no host arrays for the compiled WebGPU step.');
    const targets = this.distillation
      ? concatRows(
          this.distillation.targets.map((t) => t.rows(indices)),
          this.distillation.targets.map((t) => t.dim),
          indices.length,
        )
      : undefined;
    this.step.uploadResident(
      arrays,
      Int32Array.from(indices, (i) => labels[i] ?? 0),
      targets,
    );
    this.positions = new Map(indices.map((sample, position) => [sample, position]));
  }

  /** One step on a batch of sample indices (with modality dropout's choice and OGM-GE's noise key, when the phase has them). */
  train(
    source: DataSource,
    labels: Int32Array,
    batch: number[],
    learningRate: number,
    options: StepOptions = {},
  ): void {
    if (this.positions) {
      const positions = this.positions;
      this.step.stepResident(
        batch.map((sample) => {
          const position = positions.get(sample);
          if (position === undefined) throw new Error(`Sample ${sample} is not in the uploaded training split.`);
          return position;
        }),
        learningRate,
        options,
      );
      return;
    }
    const arrays = source.arrays?.(batch);
    if (!arrays) throw new Error('This data source gives no host arrays for the compiled WebGPU step.');
    const targets = this.distillation
      ? concatRows(
          this.distillation.targets.map((t) => t.rows(batch)),
          this.distillation.targets.map((t) => t.dim),
          batch.length,
        )
      : undefined;
    this.step.step(
      arrays,
      Int32Array.from(batch, (i) => labels[i] ?? 0),
      learningRate,
      targets,
      options,
    );
  }

  /**
   * The epoch's mean loss (distillation included), its distillation part when there is one, accuracy and (OGM-GE)
   * the coefficients' sums (read back once); the model is given the trained weights.
   */
  async endEpoch(
    model: tf.LayersModel,
  ): Promise<{ loss: number; extraLoss?: number; accuracy: number; modulation?: { sums: number[]; steps: number } }> {
    const { meanLoss, extraLoss, accuracy, coefficientSums, modulatedSteps } = await this.step.takeLoss();
    const weights = await this.step.getWeights();
    const tensors = weights.map((w, i) => tf.tensor(w, this.step.slots[i]!.shape));
    model.setWeights(tensors);
    tf.dispose(tensors);
    // Extra terms (distillation, auxiliary heads) are reported apart when the phase has them.
    const { distillWeight, auxiliaryWeights } = this.step.spec;
    return {
      loss: meanLoss,
      ...(distillWeight !== undefined || auxiliaryWeights !== undefined ? { extraLoss } : {}),
      accuracy,
      ...(coefficientSums ? { modulation: { sums: coefficientSums, steps: modulatedSteps ?? 0 } } : {}),
    };
  }

  /** Waits for the submitted steps (reading their loss sums back, which also resets them). */
  async settle(): Promise<void> {
    await this.step.takeLoss();
  }

  /** Puts the compiled optimizer's state into tfjs's optimizer (for a checkpoint), under tfjs's names. */
  async exportOptimizer(optimizer: tf.Optimizer): Promise<void> {
    const { state, steps } = await this.step.getOptimizerState();
    const suffixes = COMPILED_OPTIMIZERS[this.step.spec.optimizer ?? 'adam'].state;
    const named = (arrays: Float32Array[], suffix: string) =>
      arrays.map((values, i) => ({
        name: `${this.variables[i]!.name}/${suffix}`,
        tensor: tf.tensor(values, this.step.trainableSlots[i]!.shape),
      }));
    const iterations = { name: 'iter', tensor: tf.scalar(steps, 'int32') };
    const weights = [iterations, ...state.flatMap((arrays, k) => named(arrays, suffixes[k] ?? String(k)))];
    await optimizer.setWeights(weights);
    // setWeights copies into variables of its own.
    tf.dispose(weights.map((w) => w.tensor));
  }

  /** Takes the model's weights and tfjs's optimizer state (a resumed checkpoint). */
  async importState(model: tf.LayersModel, optimizer: tf.Optimizer): Promise<void> {
    this.step.setWeights(model.getWeights().map((w) => w.dataSync() as Float32Array));
    const saved = await optimizer.getWeights();
    const [iter, ...rest] = saved;
    const parameters = this.step.trainableSlots.length;
    const kinds = COMPILED_OPTIMIZERS[this.step.spec.optimizer ?? 'adam'].state.length;
    if (iter && rest.length === kinds * parameters) {
      const steps = (await iter.tensor.data())[0] ?? 0;
      const state = Array.from({ length: kinds }, (_, k) =>
        rest.slice(k * parameters, (k + 1) * parameters).map((w) => w.tensor.dataSync() as Float32Array),
      );
      this.step.setOptimizerState(state, steps);
    }
    iter?.tensor.dispose();
  }

  dispose(): void {
    this.step.dispose();
  }
}

/** Row-wise concatenation of per-encoder rows (`parts[m]` is `[n, dims[m]]`): `[n, Σ dims]`, as the step takes its targets. */
export function concatRows(parts: Float32Array[], dims: number[], n: number): Float32Array {
  const width = dims.reduce((a, b) => a + b, 0);
  const out = new Float32Array(n * width);
  for (let i = 0; i < n; i += 1) {
    let at = i * width;
    parts.forEach((part, m) => {
      const dim = dims[m] ?? 0;
      out.set(part.subarray(i * dim, (i + 1) * dim), at);
      at += dim;
    });
  }
  return out;
}

/** Whether every resident buffer of this network (inputs per modality, teacher features) fits one storage binding. */
function fitsResident(spec: NetworkStepSpec, samples: number, maxBindingBytes: number): boolean {
  const featureWidth = spec.encoders.reduce((sum, e) => sum + encoderKind(e).featureDim(e), 0);
  return [...spec.encoders.map((e) => encoderKind(e).inputWords(e)), featureWidth].every(
    (width) => samples * width * 4 <= maxBindingBytes,
  );
}
