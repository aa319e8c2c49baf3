import { encodeDispatches, type Dispatch, type GpuContext } from './gpu-context';
import { accumulateLossKernel, adamKernel, columnSumKernel, distillationKernel, gatherLabelsKernel, gatherRowsKernel, matMulKernel, matMulWorkgroups, reluGradKernel, rowMajor, softmaxCrossEntropyKernel, type MatMulSpec, type View } from './kernels';

/**
 * A late-fusion network of MLP encoders (paper 4.3; a teacher is the case of one encoder) as the engine
 * builds it (engine/train/models/networks.ts): per modality, dense + ReLU layers of the given widths; the
 * last layers' outputs concatenated; one linear head. Cross-entropy, Adam.
 */
export interface MlpStepSpec {
  batch: number;
  classes: number;
  encoders: { inputDim: number; hidden: number[] }[];
  /** UMT (paper A.4): the weight of the MSE between each encoder's features and its frozen teacher's; absent for plain cross-entropy. */
  distillWeight?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /**
   * Samples kept on the GPU (the phase's training split, uploaded once with {@link CompiledMlpStep.uploadResident}):
   * a step then writes only its batch's indices and gathers the rows there. Absent: each step writes its batch.
   */
  residentSamples?: number;
}

/** A parameter's place in the flat parameter buffer, in the order of the tfjs model's `getWeights()`. */
export interface ParameterSlot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

interface DenseLayer {
  inputDim: number;
  units: number;
  kernel: ParameterSlot;
  bias: ParameterSlot;
}

/**
 * The parameters of {@link MlpStepSpec}'s network in tfjs's order: each encoder's layers (kernel
 * `[in, units]`, bias `[units]`), then the head's kernel `[Σ features, classes]` and bias.
 */
export function mlpParameters(spec: MlpStepSpec): { encoders: DenseLayer[][]; head: DenseLayer; slots: ParameterSlot[]; count: number } {
  const slots: ParameterSlot[] = [];
  let offset = 0;
  const slot = (name: string, shape: number[]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const made = { name, shape, offset, size };
    offset += size;
    slots.push(made);
    return made;
  };
  const dense = (name: string, inputDim: number, units: number): DenseLayer => ({ inputDim, units, kernel: slot(`${name}/kernel`, [inputDim, units]), bias: slot(`${name}/bias`, [units]) });
  const encoders = spec.encoders.map((encoder, m) => {
    let width = encoder.inputDim;
    return encoder.hidden.map((units, l) => {
      const layer = dense(`encoder${m}/dense${l}`, width, units);
      width = units;
      return layer;
    });
  });
  const features = spec.encoders.reduce((sum, e) => sum + (e.hidden.at(-1) ?? e.inputDim), 0);
  const head = dense('head', features, spec.classes);
  return { encoders, head, slots, count: offset };
}

/**
 * One training step of that network compiled for WebGPU: every buffer, pipeline and bind group made once; a
 * step writes the batch, encodes all its dispatches (forward, cross-entropy, backward, one Adam update of
 * every parameter) in one compute pass and submits once. The loss stays on the GPU, summed over steps,
 * until {@link CompiledMlpStep.takeLoss} reads it.
 */
export class CompiledMlpStep {
  readonly slots: ParameterSlot[];
  private readonly buffers: GPUBuffer[] = [];
  private readonly dispatches: Dispatch[] = [];
  private readonly inputs: GPUBuffer[];
  private readonly labels: GPUBuffer;
  /** The batch's labels (−1 for padding) and, after them, how many are real: written once per step. */
  private readonly labelWords: Int32Array;
  private readonly params: GPUBuffer;
  private readonly moments: GPUBuffer[];
  private readonly settings: GPUBuffer;
  private readonly loss: GPUBuffer;
  private readonly teacher: GPUBuffer | null;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly count: number;
  private steps = 0;
  /** Resident mode: the uploaded split (per modality, labels, teacher features) and the batch's indices. */
  private readonly resident: { inputs: GPUBuffer[]; labels: GPUBuffer; teacher: GPUBuffer | null; index: GPUBuffer; words: Int32Array } | null;
  /** Evaluation on resident samples: the forward dispatches and cross-entropy, summed into their own accumulator. */
  private readonly evaluation: { dispatches: Dispatch[]; loss: GPUBuffer } | null = null;

  constructor(private readonly ctx: GpuContext, readonly spec: MlpStepSpec) {
    const { batch: rows, classes } = spec;
    this.beta1 = spec.beta1 ?? 0.9;
    this.beta2 = spec.beta2 ?? 0.999;
    this.epsilon = spec.epsilon ?? 1e-7;
    const layout = mlpParameters(spec);
    this.slots = layout.slots;
    this.count = layout.count;
    const buffer = (words: number, label: string) => {
      const made = ctx.storage(words, label);
      this.buffers.push(made);
      return made;
    };
    this.params = buffer(layout.count, 'params');
    const grads = buffer(layout.count, 'grads');
    this.moments = [buffer(layout.count, 'adam m'), buffer(layout.count, 'adam v')];
    this.settings = ctx.uniform(16, 'adam settings');
    this.buffers.push(this.settings);
    this.inputs = spec.encoders.map((e, m) => buffer(rows * e.inputDim, `input ${m}`));
    this.labels = buffer(rows + 1, 'labels');
    this.labelWords = new Int32Array(rows + 1);
    const featureDim = layout.head.inputDim;
    const features = buffer(rows * featureDim, 'features');
    const dFeatures = buffer(rows * featureDim, 'd features');
    const logits = buffer(rows * classes, 'logits');
    const dLogits = buffer(rows * classes, 'd logits');
    const rowLoss = buffer(rows, 'row loss');
    const correct = buffer(rows, 'correct');
    const rowDistill = buffer(rows, 'row distillation');
    this.loss = buffer(5, 'loss accumulator');
    this.teacher = spec.distillWeight !== undefined ? buffer(rows * featureDim, 'teacher features') : null;
    const samples = spec.residentSamples;
    this.resident = samples === undefined ? null : {
      inputs: spec.encoders.map((e, m) => buffer(samples * e.inputDim, `resident input ${m}`)),
      labels: buffer(samples, 'resident labels'),
      teacher: this.teacher ? buffer(samples * featureDim, 'resident teacher features') : null,
      index: buffer(rows + 1, 'batch index'),
      words: new Int32Array(rows + 1),
    };

    const matMul = (product: MatMulSpec, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer, bias?: GPUBuffer) => {
      const pipeline = ctx.pipeline(matMulKernel(product), 'matmul');
      this.dispatches.push({ pipeline, bindGroup: ctx.bind(pipeline, bias ? [a, b, c, bias] : [a, b, c]), workgroups: matMulWorkgroups(product) });
    };
    const simple = (code: string, label: string, bindings: GPUBuffer[], workgroups: Dispatch['workgroups']) => {
      const pipeline = ctx.pipeline(code, label);
      this.dispatches.push({ pipeline, bindGroup: ctx.bind(pipeline, bindings), workgroups });
    };
    const tile = (n: number) => Math.ceil(n / 16);

    // Resident data: the step starts by gathering its batch on the GPU.
    const resident = this.resident;
    if (resident) {
      spec.encoders.forEach((e, m) => simple(gatherRowsKernel(rows, e.inputDim), 'gather inputs', [resident.inputs[m] as GPUBuffer, resident.index, this.inputs[m] as GPUBuffer], [tile(e.inputDim), tile(rows)]));
      simple(gatherLabelsKernel(rows), 'gather labels', [resident.labels, resident.index, this.labels], [Math.ceil((rows + 1) / 64)]);
      if (this.teacher && resident.teacher) simple(gatherRowsKernel(rows, featureDim), 'gather teacher features', [resident.teacher, resident.index, this.teacher], [tile(featureDim), tile(rows)]);
    }

    // Forward: each encoder's layers; the last writes its columns of the concatenated features.
    const outputs: { buffer: GPUBuffer; view: View }[][] = [];
    let column = 0;
    layout.encoders.forEach((layers, m) => {
      const encoderOutputs: { buffer: GPUBuffer; view: View }[] = [];
      layers.forEach((layer, l) => {
        const last = l === layers.length - 1;
        const input = l === 0 ? { buffer: this.inputs[m] as GPUBuffer, view: rowMajor(0, layer.inputDim) } : encoderOutputs[l - 1] as { buffer: GPUBuffer; view: View };
        const output = last ? { buffer: features, view: { offset: column, row: featureDim, col: 1 } } : { buffer: buffer(rows * layer.units, `activation ${m}.${l}`), view: rowMajor(0, layer.units) };
        matMul({ m: rows, n: layer.units, k: layer.inputDim, a: input.view, b: rowMajor(layer.kernel.offset, layer.units), c: output.view, biasOffset: layer.bias.offset, relu: true }, input.buffer, this.params, output.buffer, this.params);
        encoderOutputs.push(output);
      });
      column += layers.at(-1)?.units ?? 0;
      outputs.push(encoderOutputs);
    });
    const head = layout.head;
    matMul({ m: rows, n: classes, k: featureDim, a: rowMajor(0, featureDim), b: rowMajor(head.kernel.offset, classes), c: rowMajor(0, classes), biasOffset: head.bias.offset }, features, this.params, logits, this.params);
    simple(softmaxCrossEntropyKernel(rows, classes), 'cross-entropy', [logits, this.labels, dLogits, rowLoss, correct], [Math.ceil(rows / 64)]);
    if (resident) {
      // The same gathers, forward pass and cross-entropy, without the backward pass and the update; the
      // evaluation's sums go to their own accumulator (its distillation column stays 0).
      const evalLoss = buffer(5, 'evaluation accumulator');
      const noDistillation = buffer(rows, 'no distillation');
      const accumulate = ctx.pipeline(accumulateLossKernel(rows), 'loss');
      this.evaluation = { dispatches: [...this.dispatches, { pipeline: accumulate, bindGroup: ctx.bind(accumulate, [rowLoss, correct, this.labels, noDistillation, evalLoss]), workgroups: [1] }], loss: evalLoss };
    }

    // Backward: the head, then each encoder from its last layer down.
    matMul({ m: featureDim, n: classes, k: rows, a: { offset: 0, row: 1, col: featureDim }, b: rowMajor(0, classes), c: rowMajor(head.kernel.offset, classes) }, features, dLogits, grads);
    simple(columnSumKernel(rows, classes, rowMajor(0, classes), head.bias.offset), 'bias gradient', [dLogits, grads], [Math.ceil(classes / 64)]);
    matMul({ m: rows, n: featureDim, k: classes, a: rowMajor(0, classes), b: { offset: head.kernel.offset, row: 1, col: classes }, c: rowMajor(0, featureDim) }, dLogits, this.params, dFeatures);
    if (this.teacher) {
      const widths = layout.encoders.map((layers) => layers.at(-1)?.units ?? 0);
      simple(distillationKernel(rows, widths, spec.distillWeight ?? 0), 'distillation', [features, this.teacher, dFeatures, this.labels, rowDistill], [tile(featureDim), tile(rows)]);
    }
    simple(accumulateLossKernel(rows), 'loss', [rowLoss, correct, this.labels, rowDistill, this.loss], [1]);
    column = 0;
    layout.encoders.forEach((layers, m) => {
      const encoderOutputs = outputs[m] as { buffer: GPUBuffer; view: View }[];
      let dy: { buffer: GPUBuffer; view: View } = { buffer: dFeatures, view: { offset: column, row: featureDim, col: 1 } };
      for (let l = layers.length - 1; l >= 0; l -= 1) {
        const layer = layers[l] as DenseLayer;
        const y = encoderOutputs[l] as { buffer: GPUBuffer; view: View };
        const dz = buffer(rows * layer.units, `d pre-activation ${m}.${l}`);
        simple(reluGradKernel(rows, layer.units, dy.view, y.view, rowMajor(0, layer.units)), 'relu gradient', [dy.buffer, y.buffer, dz], [tile(layer.units), tile(rows)]);
        const input = l === 0 ? { buffer: this.inputs[m] as GPUBuffer, view: rowMajor(0, layer.inputDim) } : encoderOutputs[l - 1] as { buffer: GPUBuffer; view: View };
        const inputT = { offset: input.view.offset, row: input.view.col, col: input.view.row };
        matMul({ m: layer.inputDim, n: layer.units, k: rows, a: inputT, b: rowMajor(0, layer.units), c: rowMajor(layer.kernel.offset, layer.units) }, input.buffer, dz, grads);
        simple(columnSumKernel(rows, layer.units, rowMajor(0, layer.units), layer.bias.offset), 'bias gradient', [dz, grads], [Math.ceil(layer.units / 64)]);
        if (l > 0) {
          const next = { buffer: buffer(rows * layer.inputDim, `d activation ${m}.${l - 1}`), view: rowMajor(0, layer.inputDim) };
          matMul({ m: rows, n: layer.inputDim, k: layer.units, a: rowMajor(0, layer.units), b: { offset: layer.kernel.offset, row: 1, col: layer.units }, c: next.view }, dz, this.params, next.buffer);
          dy = next;
        }
      }
      column += layers.at(-1)?.units ?? 0;
    });
    const adam = ctx.pipeline(adamKernel(layout.count, this.beta1, this.beta2), 'adam');
    this.dispatches.push({ pipeline: adam, bindGroup: ctx.bind(adam, [this.params, grads, ...this.moments, this.settings]), workgroups: [Math.ceil(layout.count / 256)] });
  }

  /** How many dispatches one step encodes. */
  get dispatchCount(): number {
    return this.dispatches.length;
  }

  /** Sets every parameter (in {@link slots}' order, as the tfjs model's `getWeights()`) and resets Adam. */
  setWeights(weights: Float32Array[]): void {
    if (weights.length !== this.slots.length) throw new Error(`Expected ${this.slots.length} weight arrays, got ${weights.length}.`);
    weights.forEach((w, i) => {
      const slot = this.slots[i] as ParameterSlot;
      if (w.length !== slot.size) throw new Error(`Weight ${slot.name} has ${w.length} values; its shape [${slot.shape.join(', ')}] needs ${slot.size}.`);
      this.ctx.write(this.params, w, slot.offset);
    });
    const zeros = new Float32Array(this.count);
    this.moments.forEach((b) => this.ctx.write(b, zeros));
    this.steps = 0;
  }

  /** Adam's moments per parameter (in {@link slots}' order) and its step count. */
  async getAdamState(): Promise<{ m: Float32Array[]; v: Float32Array[]; steps: number }> {
    const [m, v] = await Promise.all(this.moments.map((b) => this.ctx.read(b, this.count)));
    const split = (all: Float32Array) => this.slots.map((s) => all.slice(s.offset, s.offset + s.size));
    return { m: split(m as Float32Array), v: split(v as Float32Array), steps: this.steps };
  }

  setAdamState(m: Float32Array[], v: Float32Array[], steps: number): void {
    [m, v].forEach((arrays, k) => arrays.forEach((values, i) => this.ctx.write(this.moments[k] as GPUBuffer, values, (this.slots[i] as ParameterSlot).offset)));
    this.steps = steps;
  }

  async getWeights(): Promise<Float32Array[]> {
    const all = await this.ctx.read(this.params, this.count);
    return this.slots.map((s) => all.slice(s.offset, s.offset + s.size));
  }

  /**
   * Uploads the samples a resident step gathers from (`spec.residentSamples` of them): each modality's inputs
   * `[samples, inputDim]`, their labels, and (UMT) the teachers' concatenated features `[samples, Σ widths]`.
   */
  uploadResident(inputs: Float32Array[], labels: Int32Array, teacherFeatures?: Float32Array): void {
    const resident = this.resident;
    if (!resident) throw new Error('This step was compiled without resident data (spec.residentSamples).');
    if (labels.length !== this.spec.residentSamples) throw new Error(`Expected ${this.spec.residentSamples} labels, got ${labels.length}.`);
    inputs.forEach((x, m) => this.ctx.write(resident.inputs[m] as GPUBuffer, x));
    this.ctx.write(resident.labels, labels);
    if (resident.teacher) {
      if (!teacherFeatures) throw new Error('This step distils from teachers: upload their features too.');
      this.ctx.write(resident.teacher, teacherFeatures);
    }
  }

  /** One step on the resident samples at these positions (up to `spec.batch`; a shorter batch is padded). */
  stepResident(positions: ArrayLike<number>, learningRate: number): void {
    const resident = this.resident;
    if (!resident) throw new Error('This step was compiled without resident data (spec.residentSamples).');
    const rows = this.spec.batch;
    if (positions.length > rows || positions.length === 0) throw new Error(`A batch of ${positions.length} samples; this step was compiled for 1 to ${rows}.`);
    resident.words.fill(-1);
    resident.words.set(positions);
    resident.words[rows] = positions.length;
    this.ctx.write(resident.index, resident.words);
    this.submit(learningRate);
  }

  /**
   * Mean cross-entropy and accuracy of the current weights on the resident samples at these positions, in
   * batches of up to `spec.batch` (the validation split, uploaded with the training split): every batch is
   * submitted, and the sums are read back once.
   */
  async evaluateResident(positions: number[]): Promise<{ meanLoss: number; accuracy: number; samples: number }> {
    const resident = this.resident;
    const evaluation = this.evaluation;
    if (!resident || !evaluation) throw new Error('This step was compiled without resident data (spec.residentSamples).');
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

  /** Counts the step, writes Adam's settings for it, encodes every dispatch and submits once. */
  private submit(learningRate: number): void {
    this.steps += 1;
    this.ctx.write(this.settings, Float32Array.of(learningRate, 1 / (1 - this.beta1 ** this.steps), 1 / (1 - this.beta2 ** this.steps), this.epsilon));
    const encoder = this.ctx.device.createCommandEncoder();
    encodeDispatches(encoder, this.dispatches);
    this.ctx.device.queue.submit([encoder.finish()]);
  }

  /**
   * One step on a batch of up to `spec.batch` samples (a shorter last batch is padded, its padding ignored):
   * `inputs[m]` is `[n, inputDim_m]` row-major, `labels` the n class indices, `teacherFeatures` (UMT) the
   * frozen teachers' concatenated features `[n, Σ feature sizes]`. Returns once the work is submitted.
   */
  step(inputs: Float32Array[], labels: Int32Array, learningRate: number, teacherFeatures?: Float32Array): void {
    const rows = this.spec.batch;
    if (labels.length > rows || labels.length === 0) throw new Error(`A batch of ${labels.length} samples; this step was compiled for 1 to ${rows}.`);
    if (this.resident) throw new Error('This step gathers its batches from resident data: use stepResident.');
    const padded = labels.length < rows;
    inputs.forEach((x, m) => this.ctx.write(this.inputs[m] as GPUBuffer, padded ? padTo(x, rows * (this.spec.encoders[m]?.inputDim ?? 0)) : x));
    this.labelWords.fill(-1);
    this.labelWords.set(labels);
    this.labelWords[rows] = labels.length;
    this.ctx.write(this.labels, this.labelWords);
    if (this.teacher) {
      if (!teacherFeatures) throw new Error('This step distils from teachers: give their features.');
      this.ctx.write(this.teacher, padded ? padTo(teacherFeatures, this.teacher.size / 4) : teacherFeatures);
    }
    this.submit(learningRate);
  }

  /**
   * Since the last call: the mean training loss per sample (cross-entropy + distillation, as the training
   * loop reports it), the distillation part alone, the training accuracy, and the samples and steps; resets.
   */
  async takeLoss(): Promise<{ meanLoss: number; extraLoss: number; accuracy: number; samples: number; steps: number }> {
    const [loss = 0, steps = 0, hits = 0, samples = 0, extra = 0] = await this.ctx.read(this.loss, 5);
    this.ctx.write(this.loss, new Float32Array(5));
    const per = (v: number) => (samples > 0 ? v / samples : 0);
    return { meanLoss: per(loss + extra), extraLoss: per(extra), accuracy: per(hits), samples, steps };
  }

  dispose(): void {
    this.buffers.forEach((b) => this.ctx.destroy(b));
    this.buffers.length = 0;
  }
}

/** `values` followed by zeros up to `length` words. */
function padTo(values: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(values.subarray(0, length));
  return out;
}
