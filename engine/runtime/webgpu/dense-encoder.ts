import type { Dispatch } from './gpu-context';
import { denseBackward, denseForward, denseLayerFrom, denseParameters } from './dense-layer';
import { rowMajor } from './kernels';
import type { Block, EncoderKind } from './step-builder';

/** An MLP encoder (engine/train/models/networks.ts, vectors): dense + ReLU layers of the `hidden` widths. */
export interface DenseEncoderSpec {
  kind?: 'dense';
  inputDim: number;
  hidden: number[];
}

export const denseEncoder: EncoderKind<DenseEncoderSpec> = {
  parameters: (spec) => {
    let width = spec.inputDim;
    return spec.hidden.flatMap((units, l) => {
      const declared = denseParameters(`dense${l}`, width, units);
      width = units;
      return declared;
    });
  },
  inputWords: (spec) => spec.inputDim,
  featureDim: (spec) => spec.hidden.at(-1) ?? spec.inputDim,
  compile(builder, shared, spec, slots, input, output) {
    const layers = spec.hidden.map((_, l) => denseLayerFrom(slots, `dense${l}`));
    // Each layer's output; the last writes its columns of the concatenated features.
    const outputs: Block[] = layers.map((layer, l) =>
      l === layers.length - 1
        ? output
        : {
            buffer: builder.buffer(shared.rows * layer.units, `activation ${layer.kernel.name}`),
            view: rowMajor(0, layer.units),
          },
    );
    const inputOf = (l: number): Block =>
      l === 0 ? { buffer: input, view: rowMajor(0, spec.inputDim) } : (outputs[l - 1] as Block);
    return {
      forward(into: Dispatch[]) {
        layers.forEach((layer, l) => denseForward(builder, into, shared, layer, inputOf(l), outputs[l] as Block));
      },
      backward(into: Dispatch[], dOutput: Block) {
        let dy: Block | null = dOutput;
        for (let l = layers.length - 1; l >= 0 && dy; l -= 1)
          dy = denseBackward(builder, into, shared, layers[l]!, inputOf(l), outputs[l] as Block, dy, l > 0);
      },
    };
  },
};
