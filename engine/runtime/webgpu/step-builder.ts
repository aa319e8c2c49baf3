import type { Dispatch, GpuContext } from './gpu-context';
import {
  matMulKernel,
  matMulWorkgroups,
  tiledProductKernel,
  tiledWorkgroups,
  type MatMulSpec,
  type TiledProduct,
  type View,
} from './kernels';

/** A `[rows, width]` block of a buffer (a view, so a column slice of the concatenated features is one too). */
export interface Block {
  buffer: GPUBuffer;
  view: View;
}

/** A parameter's place in the flat parameter buffer, in the order of the tfjs model's `getWeights()`. */
export interface ParameterSlot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
  /** Trained by Adam (the trainable ones come first, as in tfjs); batch norm's moving averages are not. */
  trainable: boolean;
}

/** A parameter an encoder declares: `key` finds its slot again, `name` is what errors say. */
export interface ParameterDeclaration {
  key: string;
  name: string;
  shape: number[];
  trainable: boolean;
}

/** What every layer of a step shares: the batch size, the parameters, their gradients, the batch's labels (with the count of real rows after them). */
export interface StepResources {
  rows: number;
  params: GPUBuffer;
  grads: GPUBuffer;
  labels: GPUBuffer;
}

/** Makes a compiled step's buffers (counted, destroyed together) and appends its dispatches, each pipeline and bind group made once. */
export class StepBuilder {
  readonly buffers: GPUBuffer[] = [];

  constructor(readonly ctx: GpuContext) {}

  buffer(words: number, label: string): GPUBuffer {
    const made = this.ctx.storage(words, label);
    this.buffers.push(made);
    return made;
  }

  kernel(
    into: Dispatch[],
    code: string,
    label: string,
    bindings: GPUBuffer[],
    workgroups: Dispatch['workgroups'],
  ): void {
    const pipeline = this.ctx.pipeline(code, label);
    into.push({ pipeline, bindGroup: this.ctx.bind(pipeline, bindings), workgroups });
  }

  matMul(into: Dispatch[], product: MatMulSpec, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer, bias?: GPUBuffer): void {
    this.kernel(into, matMulKernel(product), 'matmul', bias ? [a, b, c, bias] : [a, b, c], matMulWorkgroups(product));
  }

  product(into: Dispatch[], product: TiledProduct, label: string, bindings: GPUBuffer[]): void {
    this.kernel(into, tiledProductKernel(product), label, bindings, tiledWorkgroups(product));
  }

  destroy(): void {
    this.buffers.forEach((b) => this.ctx.destroy(b));
    this.buffers.length = 0;
  }
}

/** An encoder compiled into a step: its forward dispatches (training: batch statistics; else inference) and its backward ones. */
export interface EncoderProgram {
  forward(into: Dispatch[], training: boolean): void;
  /** Appends the dispatches that write its parameters' gradients, given the gradient of its output. */
  backward(into: Dispatch[], dOutput: Block): void;
}

/** One kind of encoder the compiled step knows (a registry entry of network-step.ts). */
export interface EncoderKind<Spec> {
  /** Its parameters in the order of the tfjs encoder's weights. */
  parameters(spec: Spec): ParameterDeclaration[];
  /** Input values per sample. */
  inputWords(spec: Spec): number;
  /** Width of its output features. */
  featureDim(spec: Spec): number;
  /** Compiles it: reads `input` (`[rows, inputWords]`), writes `output`. */
  compile(
    builder: StepBuilder,
    shared: StepResources,
    spec: Spec,
    slots: Map<string, ParameterSlot>,
    input: GPUBuffer,
    output: Block,
  ): EncoderProgram;
}
