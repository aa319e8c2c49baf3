import type { DenseLayer } from './dense-layer';
import { encodeDispatches, type Dispatch, type GpuContext } from './gpu-context';
import {
  accumulateLossKernel,
  auxiliaryRowsKernel,
  columnSumKernel,
  maskColumnsKernel,
  distillationKernel,
  gatherLabelsKernel,
  gatherRowsKernel,
  rowMajor,
  softmaxCrossEntropyKernel,
  type View,
} from './kernels';
import { encoderKind, networkParameters, type NetworkStepSpec } from './network-layout';
import type { Inferred, NetworkStepLike, StepLoss, StepOptions } from './network-step-like';
import { COMPILED_OPTIMIZERS, SETTINGS_BYTES, type CompiledOptimizer } from './optimizers';
import { ogmApplyKernel, ogmScoresKernel, ogmSigmaKernel, ogmTallyKernel, type ModulatedWeight } from './ogm-kernels';
import { StepBuilder, type Block, type EncoderProgram, type ParameterSlot, type StepResources } from './step-builder';

/**
 * One training step of that network compiled for WebGPU: every buffer, pipeline and bind group made once; a
 * step writes the batch, encodes all its dispatches (forward, cross-entropy, backward, one Adam update of
 * every parameter) in one compute pass and submits once. The loss stays on the GPU, summed over steps,
 * until {@link CompiledNetworkStep.takeLoss} reads it.
 */
export class CompiledNetworkStep implements NetworkStepLike {
  readonly slots: ParameterSlot[];
  private readonly builder: StepBuilder;
  private readonly dispatches: Dispatch[] = [];
  private readonly inputs: GPUBuffer[];
  private readonly inputWords: number[];
  private readonly labels: GPUBuffer;
  /** The batch's labels (−1 for padding) and, after them, how many are real: written once per step. */
  private readonly labelWords: Int32Array;
  private readonly params: GPUBuffer;
  private readonly moments: GPUBuffer[];
  private readonly settings: GPUBuffer;
  private readonly loss: GPUBuffer;
  private readonly teacher: GPUBuffer | null;
  private readonly optimizer: CompiledOptimizer;
  private readonly count: number;
  private readonly trainableCount: number;
  private steps = 0;
  /** The optimizer's settings of the next step (its bias corrections follow the steps taken). */
  private nextSettings: (learningRate: number) => Float32Array;
  /** Resident mode: the uploaded split (per modality, labels, teacher features) and the batch's indices. */
  private readonly resident: {
    inputs: GPUBuffer[];
    labels: GPUBuffer;
    teacher: GPUBuffer | null;
    index: GPUBuffer;
    words: Int32Array;
  } | null;
  /** Evaluation on resident samples: the gathers, the forward pass in inference mode and the cross-entropy, summed into their own accumulator. */
  private readonly evaluation: { dispatches: Dispatch[]; loss: GPUBuffer } | null = null;
  /** OGM-GE: the settings uniform a step writes {modulate, step key}, and the coefficients' sums (M, then the step count). */
  private readonly modulation: { settings: GPUBuffer; tally: GPUBuffer; modalities: number } | null = null;
  /** Modality dropout: the column mask and the modality it drops now. */
  private readonly dropout: { mask: GPUBuffer; widths: number[]; dropped: number | null } | null;
  /** The logits, the concatenated features and each auxiliary head's logits of the last forward pass. */
  private readonly outputs: { logits: GPUBuffer; features: GPUBuffer; auxiliaryLogits: GPUBuffer[] };

  constructor(
    private readonly ctx: GpuContext,
    readonly spec: NetworkStepSpec,
  ) {
    const { batch: rows, classes } = spec;
    this.optimizer = COMPILED_OPTIMIZERS[spec.optimizer ?? 'adam'];
    this.nextSettings = this.optimizer.settings(0, spec.weightDecay ?? 0);
    const layout = networkParameters(spec);
    this.slots = layout.slots;
    this.count = layout.count;
    this.trainableCount = layout.trainableCount;
    const builder = new StepBuilder(ctx);
    this.builder = builder;
    const buffer = (words: number, label: string) => builder.buffer(words, label);
    this.params = buffer(layout.count, 'params');
    const optimised = spec.inferenceOnly ? 1 : layout.trainableCount;
    const grads = buffer(optimised, 'grads');
    this.moments = this.optimizer.state.map((name) => buffer(optimised, `optimizer ${name}`));
    this.settings = ctx.uniform(SETTINGS_BYTES, 'optimizer settings');
    builder.buffers.push(this.settings);
    this.inputWords = spec.encoders.map((e) => encoderKind(e).inputWords(e));
    this.inputs = this.inputWords.map((words, m) => buffer(rows * words, `input ${m}`));
    this.labels = buffer(rows + 1, 'labels');
    this.labelWords = new Int32Array(rows + 1);
    const widths = spec.encoders.map((e) => encoderKind(e).featureDim(e));
    const featureDim = layout.head.inputDim;
    const features = buffer(rows * featureDim, 'features');
    const dFeatures = buffer(rows * featureDim, 'd features');
    const logits = buffer(rows * classes, 'logits');
    const dLogits = buffer(rows * classes, 'd logits');
    const rowLoss = buffer(rows, 'row loss');
    const correct = buffer(rows, 'correct');
    // Each row's extra terms (UMT's distillation, or the auxiliary heads' cross-entropies) as its share of the batch mean.
    const rowExtra = buffer(rows, 'row extra terms');
    this.loss = buffer(5, 'loss accumulator');
    const auxiliary = layout.auxiliary.map((layer, m) => ({
      layer,
      logits: buffer(rows * classes, `auxiliary logits ${m}`),
      dLogits: buffer(rows * classes, `d auxiliary logits ${m}`),
    }));
    if (auxiliary.length > 0 && spec.distillWeight !== undefined)
      throw new Error('A network with auxiliary heads and a distillation term is not one the engine builds.');
    const auxiliaryRows =
      auxiliary.length > 0
        ? {
            loss: buffer(auxiliary.length * rows, 'auxiliary row losses'),
            correct: buffer(auxiliary.length * rows, 'auxiliary hits'),
          }
        : null;
    this.outputs = { logits, features, auxiliaryLogits: auxiliary.map((a) => a.logits) };
    this.dropout = spec.modalityDropout
      ? { mask: buffer(featureDim, 'modality dropout mask'), widths, dropped: null }
      : null;
    if (this.dropout) ctx.write(this.dropout.mask, new Float32Array(featureDim).fill(1));
    this.teacher = spec.distillWeight !== undefined ? buffer(rows * featureDim, 'teacher features') : null;
    const samples = spec.residentSamples;
    this.resident =
      samples === undefined
        ? null
        : {
            inputs: this.inputWords.map((words, m) => buffer(samples * words, `resident input ${m}`)),
            labels: buffer(samples, 'resident labels'),
            teacher: this.teacher ? buffer(samples * featureDim, 'resident teacher features') : null,
            index: buffer(rows + 1, 'batch index'),
            words: new Int32Array(rows + 1),
          };
    const shared: StepResources = { rows, params: this.params, grads, labels: this.labels };
    const tile = (n: number) => Math.ceil(n / 16);

    // Each encoder writes its columns of the concatenated features.
    const columns = widths.map((_, m) => widths.slice(0, m).reduce((a, b) => a + b, 0));
    const featureBlock = (m: number, of: GPUBuffer): Block => ({
      buffer: of,
      view: { offset: columns[m] ?? 0, row: featureDim, col: 1 },
    });
    const programs: EncoderProgram[] = spec.encoders.map((e, m) =>
      encoderKind(e).compile(
        builder,
        shared,
        e,
        layout.encoders[m] as Map<string, ParameterSlot>,
        this.inputs[m] as GPUBuffer,
        featureBlock(m, features),
      ),
    );

    // Resident data: a step starts by gathering its batch on the GPU.
    const gathers: Dispatch[] = [];
    const resident = this.resident;
    if (resident) {
      this.inputWords.forEach((words, m) =>
        builder.kernel(
          gathers,
          gatherRowsKernel(rows, words),
          'gather inputs',
          [resident.inputs[m] as GPUBuffer, resident.index, this.inputs[m] as GPUBuffer],
          [tile(words), tile(rows)],
        ),
      );
      builder.kernel(
        gathers,
        gatherLabelsKernel(rows),
        'gather labels',
        [resident.labels, resident.index, this.labels],
        [Math.ceil((rows + 1) / 64)],
      );
      if (this.teacher && resident.teacher)
        builder.kernel(
          gathers,
          gatherRowsKernel(rows, featureDim),
          'gather teacher features',
          [resident.teacher, resident.index, this.teacher],
          [tile(featureDim), tile(rows)],
        );
    }

    // Forward (training: batch norm on the batch's statistics, updating its moving averages; else on those
    // averages), the heads and, with `loss`, the cross-entropies: in training each weighted as the method says
    // (Auxiliary-CE, G-Blending), in evaluation the fused head's alone and unweighted, as tfjs's evaluation.
    const head = layout.head;
    const dropout = this.dropout;
    const forward = (into: Dispatch[], training: boolean, loss = true) => {
      programs.forEach((program) => program.forward(into, training));
      if (training && dropout)
        builder.kernel(
          into,
          maskColumnsKernel(rows, featureDim),
          'modality dropout',
          [features, dropout.mask],
          [tile(featureDim), tile(rows)],
        );
      builder.matMul(
        into,
        {
          m: rows,
          n: classes,
          k: featureDim,
          a: rowMajor(0, featureDim),
          b: rowMajor(head.kernel.offset, classes),
          c: rowMajor(0, classes),
          biasOffset: head.bias.offset,
        },
        features,
        this.params,
        logits,
        this.params,
      );
      if (loss)
        builder.kernel(
          into,
          softmaxCrossEntropyKernel(rows, classes, training ? (spec.taskWeight ?? 1) : 1),
          'cross-entropy',
          [logits, this.labels, dLogits, rowLoss, correct],
          [Math.ceil(rows / 64)],
        );
      if (loss && !training) return;
      auxiliary.forEach(({ layer, logits: auxLogits, dLogits: dAux }, m) => {
        builder.matMul(
          into,
          {
            m: rows,
            n: classes,
            k: layer.inputDim,
            a: { offset: columns[m] ?? 0, row: featureDim, col: 1 },
            b: rowMajor(layer.kernel.offset, classes),
            c: rowMajor(0, classes),
            biasOffset: layer.bias.offset,
          },
          features,
          this.params,
          auxLogits,
          this.params,
        );
        if (loss && auxiliaryRows)
          builder.kernel(
            into,
            softmaxCrossEntropyKernel(rows, classes, spec.auxiliaryWeights?.[m] ?? 1, m * rows),
            'auxiliary cross-entropy',
            [auxLogits, this.labels, dAux, auxiliaryRows.loss, auxiliaryRows.correct],
            [Math.ceil(rows / 64)],
          );
      });
      if (loss && auxiliaryRows)
        builder.kernel(
          into,
          auxiliaryRowsKernel(rows, auxiliary.length),
          'auxiliary terms',
          [auxiliaryRows.loss, this.labels, rowExtra],
          [Math.ceil(rows / 64)],
        );
    };
    if (spec.inferenceOnly) {
      forward(this.dispatches, false, false);
      return;
    }
    this.dispatches.push(...gathers);
    forward(this.dispatches, true);
    if (resident) {
      // The evaluation's sums go to their own accumulator (its distillation column stays 0).
      const evalLoss = buffer(5, 'evaluation accumulator');
      const noDistillation = buffer(rows, 'no distillation');
      const dispatches = [...gathers];
      forward(dispatches, false);
      builder.kernel(
        dispatches,
        accumulateLossKernel(rows),
        'loss',
        [rowLoss, correct, this.labels, noDistillation, evalLoss],
        [1],
      );
      this.evaluation = { dispatches, loss: evalLoss };
    }

    // Backward: the heads, the distillation term, then each encoder from its last layer down; one optimizer update.
    const into = this.dispatches;
    const encodersTrain = spec.encoders.some((e) =>
      encoderKind(e)
        .parameters(e)
        .some((p) => p.trainable),
    );
    const headBackward = (layer: DenseLayer, dHead: GPUBuffer, inputs: View, dInputs: View, accumulate: boolean) => {
      builder.matMul(
        into,
        {
          m: layer.inputDim,
          n: classes,
          k: rows,
          a: { offset: inputs.offset, row: 1, col: featureDim },
          b: rowMajor(0, classes),
          c: rowMajor(layer.kernel.offset, classes),
        },
        features,
        dHead,
        grads,
      );
      builder.kernel(
        into,
        columnSumKernel(rows, classes, rowMajor(0, classes), layer.bias.offset),
        'bias gradient',
        [dHead, grads],
        [Math.ceil(classes / 64)],
      );
      // The features' gradient, unless no encoder trains (a linear classifier on fixed features).
      if (encodersTrain)
        builder.matMul(
          into,
          {
            m: rows,
            n: layer.inputDim,
            k: classes,
            a: rowMajor(0, classes),
            b: { offset: layer.kernel.offset, row: 1, col: classes },
            c: dInputs,
            accumulate,
          },
          dHead,
          this.params,
          dFeatures,
        );
    };
    headBackward(head, dLogits, { offset: 0, row: featureDim, col: 1 }, rowMajor(0, featureDim), false);
    // Each auxiliary head adds its gradient to its encoder's columns of dFeatures.
    auxiliary.forEach(({ layer, dLogits: dAux }, m) =>
      headBackward(layer, dAux, featureBlock(m, features).view, featureBlock(m, dFeatures).view, true),
    );
    if (dropout)
      builder.kernel(
        into,
        maskColumnsKernel(rows, featureDim),
        'modality dropout gradient',
        [dFeatures, dropout.mask],
        [tile(featureDim), tile(rows)],
      );
    if (this.teacher)
      builder.kernel(
        into,
        distillationKernel(rows, widths, spec.distillWeight ?? 0),
        'distillation',
        [features, this.teacher, dFeatures, this.labels, rowExtra],
        [tile(featureDim), tile(rows)],
      );
    builder.kernel(into, accumulateLossKernel(rows), 'loss', [rowLoss, correct, this.labels, rowExtra, this.loss], [1]);
    programs.forEach((program, m) => program.backward(into, featureBlock(m, dFeatures)));
    if (spec.gradientModulation)
      this.modulation = this.modulate(builder, into, spec.gradientModulation.alpha, layout, widths, features, grads);
    builder.kernel(
      into,
      this.optimizer.kernel(layout.trainableCount),
      'optimizer',
      [this.params, grads, ...this.moments, this.settings],
      [Math.ceil(layout.trainableCount / 256)],
    );
  }

  /**
   * OGM-GE's dispatches (ogm-kernels.ts) after the backward pass: the modalities' scores, then for each encoder
   * weight of rank ≥ 2 (in the order of its encoder's weights, as the tfjs hook numbers them) its σ and its
   * modulated, noised gradient. Returns the settings uniform a step writes and the buffer its coefficients are summed in.
   */
  private modulate(
    builder: StepBuilder,
    into: Dispatch[],
    alpha: number,
    layout: ReturnType<typeof networkParameters>,
    widths: number[],
    features: GPUBuffer,
    grads: GPUBuffer,
  ): { settings: GPUBuffer; tally: GPUBuffer; modalities: number } {
    const modalities = widths.length;
    const settings = this.ctx.uniform(16, 'gradient modulation settings');
    builder.buffers.push(settings);
    const scores = builder.buffer(modalities, 'modality scores');
    const weights: ModulatedWeight[] = layout.encoders.flatMap((slots, modality) =>
      [...slots.values()]
        .filter((slot) => slot.trainable && slot.shape.length >= 2)
        .map((slot, index) => ({ offset: slot.offset, size: slot.size, modality, index })),
    );
    const sigma = builder.buffer(weights.length, 'modulated gradient std');
    builder.kernel(
      into,
      ogmScoresKernel({
        rows: this.spec.batch,
        classes: this.spec.classes,
        widths,
        headKernel: layout.head.kernel.offset,
        headBias: layout.head.bias.offset,
      }),
      'modality scores',
      [features, this.params, this.labels, scores],
      [modalities],
    );
    const tally = builder.buffer(modalities + 1, 'modulation coefficients tally');
    builder.kernel(into, ogmTallyKernel(modalities, alpha), 'modulation tally', [scores, tally, settings], [1]);
    weights.forEach((weight, slot) => {
      if (weight.size > 65_535 * 256)
        throw new Error(
          `An encoder weight of ${weight.size} values is too large for one gradient modulation dispatch.`,
        );
      builder.kernel(
        into,
        ogmSigmaKernel(weight, slot, modalities, alpha),
        'modulated gradient std',
        [grads, scores, sigma, settings],
        [1],
      );
      builder.kernel(
        into,
        ogmApplyKernel(weight, slot, modalities, alpha),
        'gradient modulation',
        [grads, scores, sigma, settings],
        [Math.ceil(weight.size / 256)],
      );
    });
    return { settings, tally, modalities };
  }

  /** How many dispatches one step encodes. */
  get dispatchCount(): number {
    return this.dispatches.length;
  }

  /** Sets every parameter (in {@link slots}' order, as the tfjs model's `getWeights()`) and resets Adam. */
  setWeights(weights: Float32Array[]): void {
    if (weights.length !== this.slots.length)
      throw new Error(`Expected ${this.slots.length} weight arrays, got ${weights.length}.`);
    weights.forEach((w, i) => {
      const slot = this.slots[i] as ParameterSlot;
      if (w.length !== slot.size)
        throw new Error(
          `Weight ${slot.name} has ${w.length} values; its shape [${slot.shape.join(', ')}] needs ${slot.size}.`,
        );
      this.ctx.write(this.params, w, slot.offset);
    });
    const zeros = new Float32Array(this.spec.inferenceOnly ? 1 : this.trainableCount);
    this.moments.forEach((b) => this.ctx.write(b, zeros));
    this.steps = 0;
    this.nextSettings = this.optimizer.settings(0, this.spec.weightDecay ?? 0);
  }

  /** The parameters Adam trains (a prefix of {@link slots}: tfjs's `trainableWeights`). */
  get trainableSlots(): ParameterSlot[] {
    return this.slots.filter((s) => s.trainable);
  }

  /** Adam's moments per trainable parameter (in {@link trainableSlots}' order) and its step count. */
  async getOptimizerState(): Promise<{ state: Float32Array[][]; steps: number }> {
    const all = await Promise.all(this.moments.map((b) => this.ctx.read(b, this.trainableCount)));
    return {
      state: all.map((values) => this.trainableSlots.map((s) => values.slice(s.offset, s.offset + s.size))),
      steps: this.steps,
    };
  }

  setOptimizerState(state: Float32Array[][], steps: number): void {
    if (state.length !== this.moments.length)
      throw new Error(`The optimizer keeps ${this.moments.length} state arrays per parameter; got ${state.length}.`);
    state.forEach((arrays, k) =>
      arrays.forEach((values, i) =>
        this.ctx.write(this.moments[k] as GPUBuffer, values, (this.trainableSlots[i] as ParameterSlot).offset),
      ),
    );
    this.steps = steps;
    this.nextSettings = this.optimizer.settings(steps, this.spec.weightDecay ?? 0);
  }

  async getWeights(): Promise<Float32Array[]> {
    const all = await this.ctx.read(this.params, this.count);
    return this.slots.map((s) => all.slice(s.offset, s.offset + s.size));
  }

  /**
   * Uploads the samples a resident step gathers from (`spec.residentSamples` of them): each modality's inputs
   * `[samples, input values]`, their labels, and (UMT) the teachers' concatenated features `[samples, Σ widths]`.
   */
  uploadResident(inputs: Float32Array[], labels: Int32Array, teacherFeatures?: Float32Array): void {
    const resident = this.resident;
    if (!resident) throw new Error('This step was compiled without resident data (spec.residentSamples).');
    if (labels.length !== this.spec.residentSamples)
      throw new Error(`Expected ${this.spec.residentSamples} labels, got ${labels.length}.`);
    inputs.forEach((x, m) => this.ctx.write(resident.inputs[m] as GPUBuffer, x));
    this.ctx.write(resident.labels, labels);
    if (resident.teacher) {
      if (!teacherFeatures) throw new Error('This step distils from teachers: upload their features too.');
      this.ctx.write(resident.teacher, teacherFeatures);
    }
  }

  /** One step on the resident samples at these positions (up to `spec.batch`; a shorter batch is padded). */
  stepResident(positions: ArrayLike<number>, learningRate: number, options: StepOptions = {}): void {
    const resident = this.resident;
    if (!resident) throw new Error('This step was compiled without resident data (spec.residentSamples).');
    const rows = this.spec.batch;
    if (positions.length > rows || positions.length === 0)
      throw new Error(`A batch of ${positions.length} samples; this step was compiled for 1 to ${rows}.`);
    resident.words.fill(-1);
    resident.words.set(positions);
    resident.words[rows] = positions.length;
    this.ctx.write(resident.index, resident.words);
    this.submit(learningRate, options);
  }

  /**
   * Mean cross-entropy and accuracy of the current weights on the resident samples at these positions, in
   * batches of up to `spec.batch` (the validation split, uploaded with the training split): every batch is
   * submitted, and the sums are read back once.
   */
  async evaluateResident(positions: number[]): Promise<{ meanLoss: number; accuracy: number; samples: number }> {
    const resident = this.resident;
    const evaluation = this.evaluation;
    if (!resident || !evaluation)
      throw new Error('This step was compiled without resident data (spec.residentSamples).');
    const rows = this.spec.batch;
    for (let start = 0; start < positions.length; start += rows) {
      const batch = positions.slice(start, start + rows);
      resident.words.fill(-1);
      resident.words.set(batch);
      resident.words[rows] = batch.length;
      this.ctx.write(resident.index, resident.words);
      const encoder = this.ctx.device.createCommandEncoder();
      encodeDispatches(encoder, evaluation.dispatches);
      this.ctx.device.queue.submit([encoder.finish()]);
    }
    const [loss = 0, , hits = 0, samples = 0] = await this.ctx.read(evaluation.loss, 5);
    this.ctx.write(evaluation.loss, new Float32Array(5));
    return { meanLoss: samples > 0 ? loss / samples : 0, accuracy: samples > 0 ? hits / samples : 0, samples };
  }

  /** Counts the step, writes the optimizer's settings (and the dropout mask when the dropped modality changes), encodes every dispatch and submits once. */
  private submit(learningRate: number, options: StepOptions): void {
    const dropped = options.dropped ?? null;
    const noiseKey = options.noiseKey ?? null;
    if (noiseKey !== null && !this.modulation) throw new Error('This step was compiled without gradient modulation.');
    if (this.modulation)
      this.ctx.write(this.modulation.settings, Uint32Array.of(noiseKey === null ? 0 : 1, noiseKey ?? 0, 0, 0));
    const dropout = this.dropout;
    if (dropped !== null && !dropout) throw new Error('This step was compiled without modality dropout.');
    if (dropout && dropout.dropped !== dropped) {
      const mask = new Float32Array(dropout.widths.reduce((a, b) => a + b, 0)).fill(1);
      if (dropped !== null) {
        const start = dropout.widths.slice(0, dropped).reduce((a, b) => a + b, 0);
        mask.fill(0, start, start + (dropout.widths[dropped] ?? 0));
      }
      this.ctx.write(dropout.mask, mask);
      dropout.dropped = dropped;
    }
    this.steps += 1;
    this.ctx.write(this.settings, this.nextSettings(learningRate));
    const encoder = this.ctx.device.createCommandEncoder();
    encodeDispatches(encoder, this.dispatches);
    this.ctx.device.queue.submit([encoder.finish()]);
  }

  /**
   * One step on a batch of up to `spec.batch` samples (a shorter last batch is padded, its padding ignored):
   * `inputs[m]` is `[n, input values of m]` row-major (images NHWC), `labels` the n class indices, `teacherFeatures` (UMT) the
   * frozen teachers' concatenated features `[n, Σ feature sizes]`. Returns once the work is submitted.
   */
  step(
    inputs: Float32Array[],
    labels: Int32Array,
    learningRate: number,
    teacherFeatures?: Float32Array,
    options: StepOptions = {},
  ): void {
    const rows = this.spec.batch;
    if (labels.length > rows || labels.length === 0)
      throw new Error(`A batch of ${labels.length} samples; this step was compiled for 1 to ${rows}.`);
    if (this.resident) throw new Error('This step gathers its batches from resident data: use stepResident.');
    const padded = labels.length < rows;
    inputs.forEach((x, m) =>
      this.ctx.write(this.inputs[m] as GPUBuffer, padded ? padTo(x, rows * (this.inputWords[m] ?? 0)) : x),
    );
    this.labelWords.fill(-1);
    this.labelWords.set(labels);
    this.labelWords[rows] = labels.length;
    this.ctx.write(this.labels, this.labelWords);
    if (this.teacher) {
      if (!teacherFeatures) throw new Error('This step distils from teachers: give their features.');
      this.ctx.write(this.teacher, padded ? padTo(teacherFeatures, this.teacher.size / 4) : teacherFeatures);
    }
    this.submit(learningRate, options);
  }

  /**
   * The logits `[count, classes]` and concatenated features `[count, Σ widths]` of `count` samples (inputs as
   * {@link step} takes them) in inference mode, on a step compiled with `inferenceOnly`: batch after batch is
   * submitted and copied aside, and read back once per {@link INFERENCE_BATCHES_PER_READ} batches.
   */
  async infer(inputs: Float32Array[], count: number): Promise<Inferred> {
    if (!this.spec.inferenceOnly)
      throw new Error('This step was compiled for training: compile one with inferenceOnly to infer.');
    const rows = this.spec.batch;
    const { classes } = this.spec;
    const featureDim = this.outputs.features.size / 4 / rows;
    // What each batch copies aside: its real rows of each output, of these widths.
    const sources = [
      { buffer: this.outputs.logits, width: classes },
      { buffer: this.outputs.features, width: featureDim },
      ...this.outputs.auxiliaryLogits.map((buffer) => ({ buffer, width: classes })),
    ];
    const results = sources.map(({ width }) => new Float32Array(count * width));
    const perRead = rows * INFERENCE_BATCHES_PER_READ;
    for (let first = 0; first < count; first += perRead) {
      const chunk = Math.min(perRead, count - first);
      const staging = sources.map(({ width }) =>
        this.ctx.device.createBuffer({
          size: chunk * width * 4,
          usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
        }),
      );
      for (let start = 0; start < chunk; start += rows) {
        const n = Math.min(rows, chunk - start);
        const at = first + start;
        inputs.forEach((x, m) => {
          const words = this.inputWords[m] ?? 0;
          this.ctx.write(this.inputs[m] as GPUBuffer, padTo(x.subarray(at * words, (at + n) * words), rows * words));
        });
        const encoder = this.ctx.device.createCommandEncoder();
        encodeDispatches(encoder, this.dispatches);
        sources.forEach(({ buffer, width }, k) =>
          encoder.copyBufferToBuffer(buffer, 0, staging[k] as GPUBuffer, start * width * 4, n * width * 4),
        );
        this.ctx.device.queue.submit([encoder.finish()]);
      }
      await Promise.all(staging.map((b) => this.ctx.mapped(b)));
      staging.forEach((b, k) => {
        (results[k] as Float32Array).set(new Float32Array(b.getMappedRange()), first * (sources[k]?.width ?? 0));
        b.unmap();
        b.destroy();
      });
    }
    const [logits, features, ...auxiliaryLogits] = results as [Float32Array, Float32Array, ...Float32Array[]];
    return { logits, features, auxiliaryLogits };
  }

  /**
   * Since the last call: the mean training loss per sample (cross-entropy + distillation, as the training
   * loop reports it), the distillation part alone, the training accuracy, and the samples and steps; resets.
   */
  async takeLoss(): Promise<StepLoss> {
    const [loss = 0, steps = 0, hits = 0, samples = 0, extra = 0] = await this.ctx.read(this.loss, 5);
    this.ctx.write(this.loss, new Float32Array(5));
    const per = (v: number) => (samples > 0 ? v / samples : 0);
    const taken = { meanLoss: per(loss + extra), extraLoss: per(extra), accuracy: per(hits), samples, steps };
    const modulation = this.modulation;
    if (!modulation) return taken;
    const tally = await this.ctx.read(modulation.tally, modulation.modalities + 1);
    this.ctx.write(modulation.tally, new Float32Array(modulation.modalities + 1));
    return {
      ...taken,
      coefficientSums: Array.from(tally.subarray(0, modulation.modalities)),
      modulatedSteps: tally[modulation.modalities] ?? 0,
    };
  }

  dispose(): void {
    this.builder.destroy();
  }
}

/** Inference reads its results back once per this many batches (one staging buffer each time, bounded in size). */
export const INFERENCE_BATCHES_PER_READ = 64;

/** `values` followed by zeros up to `length` words. */
function padTo(values: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(values.subarray(0, length));
  return out;
}
