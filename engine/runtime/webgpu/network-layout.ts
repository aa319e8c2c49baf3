import type { OptimizerName } from '../../protocol/run';
import { convEncoder, type ConvEncoderSpec } from './conv-encoder';
import { denseEncoder, type DenseEncoderSpec } from './dense-encoder';
import { identityEncoder, type IdentityEncoderSpec } from './identity-encoder';
import { denseLayerFrom, denseParameters, type DenseLayer } from './dense-layer';
import type { EncoderKind, ParameterDeclaration, ParameterSlot } from './step-builder';

export type EncoderSpec = DenseEncoderSpec | ConvEncoderSpec | IdentityEncoderSpec;

/** The encoders the compiled step knows, by kind: adding one is a module and a line. */
const ENCODER_KINDS: { [K in NonNullable<EncoderSpec['kind']>]: EncoderKind<Extract<EncoderSpec, { kind?: K }>> } = {
  dense: denseEncoder,
  conv: convEncoder,
  identity: identityEncoder,
};

export function encoderKind(spec: EncoderSpec): EncoderKind<EncoderSpec> {
  return ENCODER_KINDS[spec.kind ?? 'dense'] as EncoderKind<EncoderSpec>;
}

/**
 * A late-fusion network (paper 4.3; a teacher is the case of one encoder) as the engine builds it
 * (engine/train/models/networks.ts): one encoder per modality (MLP or convolutional), their features
 * concatenated, one linear head (and, for Auxiliary-CE and G-Blending, one linear head per encoder on its
 * features). Cross-entropy (weighted per head), Adam or SGD. A linear classifier on fixed features is the case of
 * one identity encoder (identity-encoder.ts).
 */
export interface NetworkStepSpec {
  batch: number;
  classes: number;
  encoders: EncoderSpec[];
  /** UMT (paper A.4): the weight of the MSE between each encoder's features and its frozen teacher's; absent for plain cross-entropy. */
  distillWeight?: number;
  /** The run's optimizer (optimizers.ts); Adam when absent. */
  optimizer?: OptimizerName;
  /** L2 weight decay added to every gradient by the optimizer kernel (optimizers.ts); 0 when absent. */
  weightDecay?: number;
  /** One linear head per encoder on its features (buildFusion's auxiliaryHeads), after the fused head. */
  auxiliaryHeads?: boolean;
  /** Training: each auxiliary head's cross-entropy weight (Auxiliary-CE: 1; G-Blending: its estimates); 1 when absent. */
  auxiliaryWeights?: number[];
  /** Training: the fused head's cross-entropy weight (G-Blending); 1 when absent. Validation loss is always unweighted. */
  taskWeight?: number;
  /** Modality dropout on the concatenated features in training (a step says which modality it drops). */
  modalityDropout?: boolean;
  /** OGM-GE's gradient modulation with this α (ogm-kernels.ts; a step says whether it modulates, and its noise key). */
  gradientModulation?: { alpha: number };
  /**
   * Samples kept on the GPU (the phase's training split, uploaded once with {@link CompiledNetworkStep.uploadResident}):
   * a step then writes only its batch's indices and gathers the rows there. Absent: each step writes its batch.
   */
  residentSamples?: number;
  /** Compile the forward pass alone, in inference mode (batch norm on its moving averages), for {@link CompiledNetworkStep.infer}. */
  inferenceOnly?: boolean;
}

/**
 * The parameters of {@link NetworkStepSpec}'s network in tfjs's `getWeights()` order: every trainable weight in
 * layer order (each encoder's, then the head's kernel `[Σ features, classes]` and bias, then each auxiliary
 * head's), then the others (batch norm's moving averages), so the optimizer updates one prefix of the buffer.
 */
export function networkParameters(spec: NetworkStepSpec): {
  encoders: Map<string, ParameterSlot>[];
  head: DenseLayer;
  auxiliary: DenseLayer[];
  slots: ParameterSlot[];
  count: number;
  trainableCount: number;
} {
  const widths = spec.encoders.map((e) => encoderKind(e).featureDim(e));
  const features = widths.reduce((sum, w) => sum + w, 0);
  const auxiliary = spec.auxiliaryHeads ? widths.map((width, m) => ({ name: `head_aux${m}`, width })) : [];
  const declared: { owner: number; declaration: ParameterDeclaration }[] = [
    ...spec.encoders.flatMap((e, m) =>
      encoderKind(e)
        .parameters(e)
        .map((declaration) => ({ owner: m, declaration })),
    ),
    ...[{ name: 'head', width: features }, ...auxiliary].flatMap((head) =>
      denseParameters(head.name, head.width, spec.classes).map((declaration) => ({ owner: -1, declaration })),
    ),
  ];
  const ordered = [
    ...declared.filter((d) => d.declaration.trainable),
    ...declared.filter((d) => !d.declaration.trainable),
  ];
  const encoders = spec.encoders.map(() => new Map<string, ParameterSlot>());
  const headSlots = new Map<string, ParameterSlot>();
  const slots: ParameterSlot[] = [];
  let offset = 0;
  let trainableCount = 0;
  for (const { owner, declaration } of ordered) {
    const size = declaration.shape.reduce((a, b) => a * b, 1);
    const made = {
      name: owner < 0 ? declaration.name : `encoder${owner}/${declaration.name}`,
      shape: declaration.shape,
      offset,
      size,
      trainable: declaration.trainable,
    };
    offset += size;
    if (declaration.trainable) trainableCount = offset;
    slots.push(made);
    (owner < 0 ? headSlots : (encoders[owner] as Map<string, ParameterSlot>)).set(declaration.key, made);
  }
  return {
    encoders,
    head: denseLayerFrom(headSlots, 'head'),
    auxiliary: auxiliary.map((head) => denseLayerFrom(headSlots, head.name)),
    slots,
    count: offset,
    trainableCount,
  };
}
