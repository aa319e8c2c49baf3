import type { Dispatch } from './gpu-context';
import { columnSumKernel, reluGradKernel, rowMajor } from './kernels';
import type { Block, ParameterSlot, StepBuilder, StepResources } from './step-builder';

/** A dense + ReLU layer (kernel `[inputDim, units]`, bias `[units]`) as the compiled step runs it. */
export interface DenseLayer {
  inputDim: number;
  units: number;
  kernel: ParameterSlot;
  bias: ParameterSlot;
}

/** y = ReLU(x·K + b). */
export function denseForward(
  builder: StepBuilder,
  into: Dispatch[],
  shared: StepResources,
  layer: DenseLayer,
  input: Block,
  output: Block,
): void {
  builder.matMul(
    into,
    {
      m: shared.rows,
      n: layer.units,
      k: layer.inputDim,
      a: input.view,
      b: rowMajor(layer.kernel.offset, layer.units),
      c: output.view,
      biasOffset: layer.bias.offset,
      relu: true,
    },
    input.buffer,
    shared.params,
    output.buffer,
    shared.params,
  );
}

/**
 * Its backward pass given dY: dZ = dY·1[Y > 0], dK = xᵀ·dZ, db = Σ_rows dZ (into the gradients), and, where the
 * layer below needs it, dX = dZ·Kᵀ in a new `[rows, inputDim]` buffer (returned).
 */
export function denseBackward(
  builder: StepBuilder,
  into: Dispatch[],
  shared: StepResources,
  layer: DenseLayer,
  input: Block,
  output: Block,
  dOutput: Block,
  inputGradient: boolean,
): Block | null {
  const { rows } = shared;
  const tile = (n: number) => Math.ceil(n / 16);
  const dz = builder.buffer(rows * layer.units, `d pre-activation ${layer.kernel.name}`);
  builder.kernel(
    into,
    reluGradKernel(rows, layer.units, dOutput.view, output.view, rowMajor(0, layer.units)),
    'relu gradient',
    [dOutput.buffer, output.buffer, dz],
    [tile(layer.units), tile(rows)],
  );
  const inputT = { offset: input.view.offset, row: input.view.col, col: input.view.row };
  builder.matMul(
    into,
    {
      m: layer.inputDim,
      n: layer.units,
      k: rows,
      a: inputT,
      b: rowMajor(0, layer.units),
      c: rowMajor(layer.kernel.offset, layer.units),
    },
    input.buffer,
    dz,
    shared.grads,
  );
  builder.kernel(
    into,
    columnSumKernel(rows, layer.units, rowMajor(0, layer.units), layer.bias.offset),
    'bias gradient',
    [dz, shared.grads],
    [Math.ceil(layer.units / 64)],
  );
  if (!inputGradient) return null;
  const dInput = {
    buffer: builder.buffer(rows * layer.inputDim, `d input ${layer.kernel.name}`),
    view: rowMajor(0, layer.inputDim),
  };
  builder.matMul(
    into,
    {
      m: rows,
      n: layer.inputDim,
      k: layer.units,
      a: rowMajor(0, layer.units),
      b: { offset: layer.kernel.offset, row: 1, col: layer.units },
      c: dInput.view,
    },
    dz,
    shared.params,
    dInput.buffer,
  );
  return dInput;
}

/** A dense layer's two parameters, declared under `name`. */
export function denseParameters(
  name: string,
  inputDim: number,
  units: number,
): { key: string; name: string; shape: number[]; trainable: boolean }[] {
  return [
    { key: `${name}/kernel`, name: `${name}/kernel`, shape: [inputDim, units], trainable: true },
    { key: `${name}/bias`, name: `${name}/bias`, shape: [units], trainable: true },
  ];
}

/** The layer whose parameters were declared under `name`, from an encoder's slots. */
export function denseLayerFrom(slots: Map<string, ParameterSlot>, name: string): DenseLayer {
  const kernel = slots.get(`${name}/kernel`);
  const bias = slots.get(`${name}/bias`);
  if (!kernel || !bias) throw new Error(`No parameters were declared for the dense layer ${name}.`);
  return { inputDim: kernel.shape[0] ?? 0, units: kernel.shape[1] ?? 0, kernel, bias };
}
