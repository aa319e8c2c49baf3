import type { Dispatch } from './gpu-context';
import { copyRowsKernel } from './kernels';
import type { EncoderKind } from './step-builder';

/**
 * No encoder: the features are the input itself. A linear classifier on fixed features (the paper's linear
 * probe, 3.1, and the decision trick's multi-modal classifier, 4.2) is the compiled network with this encoder
 * and its linear head, so the ~7,000 probe steps of a run take one submit each instead of tfjs's ops.
 */
export interface IdentityEncoderSpec {
  kind: 'identity';
  inputDim: number;
}

export const identityEncoder: EncoderKind<IdentityEncoderSpec> = {
  parameters: () => [],
  inputWords: (spec) => spec.inputDim,
  featureDim: (spec) => spec.inputDim,
  compile(builder, shared, spec, _slots, input, output) {
    return {
      forward(into: Dispatch[]) {
        builder.kernel(
          into,
          copyRowsKernel(shared.rows, spec.inputDim, output.view),
          'identity features',
          [input, output.buffer],
          [Math.ceil(spec.inputDim / 16), Math.ceil(shared.rows / 16)],
        );
      },
      // Nothing to train, and nothing before it to pass a gradient to.
      backward() {},
    };
  },
};
