import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../protocol/run';
import { batchNormalization } from './batch-normalization';
import { conv2d } from './convolution';
import { ModalityDropout } from './modality-dropout';

/** The name of the modality-dropout layer in a fused model that has one. */
export const MODALITY_DROPOUT_LAYER = 'modality_dropout';

/** What an encoder needs to know about its modality. */
export interface ModalityInput {
  name: string;
  kind: 'vector' | 'image' | 'audio';
  /** Per-sample shape: `[features]` or `[height, width, channels]`. */
  shape: number[];
}

/** Hands out distinct, reproducible initialiser seeds, so one run seed fixes every weight. */
export class SeedSequence {
  private next = 0;

  constructor(private readonly base: number) {}

  take(): number {
    this.next += 1;
    return (this.base * 7919 + this.next * 104_729) % 2_147_483_647;
  }
}

export function layerName(prefix: string, modality: string): string {
  return `${prefix}_${modality.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/**
 * One modality's encoder (paper 3.3: the same architecture serves the teacher and the fused model).
 * Vectors: an MLP (dense + ReLU per hidden width; the last width is the feature size), as the paper's
 * two-layer ReLU MLP on its synthetic data (A.10). Images and spectrograms: conv3×3-BN-ReLU blocks with 2×2
 * max-pooling between them, global average pooling, and a dense ReLU layer to the feature size.
 * Input `[batch, ...shape]` → features `[batch, featureDim]`.
 */
export function buildEncoder(
  modality: ModalityInput,
  config: Pick<RunConfig, 'mlpHidden' | 'cnnChannels' | 'cnnFeatureDim'>,
  seeds: SeedSequence,
): tf.Sequential {
  const encoder = tf.sequential({ name: layerName('encoder', modality.name) });
  if (modality.kind === 'vector') {
    config.mlpHidden.forEach((units, i) => {
      encoder.add(
        tf.layers.dense({
          units,
          activation: 'relu',
          kernelInitializer: tf.initializers.heNormal({ seed: seeds.take() }),
          ...(i === 0 ? { inputShape: modality.shape } : {}),
        }),
      );
    });
    return encoder;
  }
  let height = modality.shape[0] ?? 1;
  let width = modality.shape[1] ?? 1;
  config.cnnChannels.forEach((filters, i) => {
    encoder.add(
      conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: tf.initializers.heNormal({ seed: seeds.take() }),
        ...(i === 0 ? { inputShape: modality.shape } : {}),
      }),
    );
    // Momentum 0.9 = PyTorch's BatchNorm default (momentum 0.1), which the paper's code uses; tfjs's 0.99
    // lags far behind the weights in runs of a few hundred steps and wrecks inference-mode accuracy.
    encoder.add(batchNormalization({ axis: -1, momentum: 0.9 }));
    encoder.add(tf.layers.activation({ activation: 'relu' }));
    const last = i === config.cnnChannels.length - 1;
    if (!last && height >= 4 && width >= 4) {
      encoder.add(tf.layers.maxPooling2d({ poolSize: 2 }));
      height = Math.floor(height / 2);
      width = Math.floor(width / 2);
    }
  });
  encoder.add(tf.layers.globalAveragePooling2d({}));
  encoder.add(
    tf.layers.dense({
      units: config.cnnFeatureDim,
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed: seeds.take() }),
    }),
  );
  return encoder;
}

export function featureDim(encoder: tf.Sequential): number {
  return (encoder.outputs[0]?.shape.at(-1) as number | undefined) ?? 0;
}

function linearHead(name: string, classes: number, seeds: SeedSequence): tf.layers.Layer {
  return tf.layers.dense({
    units: classes,
    name,
    kernelInitializer: tf.initializers.glorotUniform({ seed: seeds.take() }),
  });
}

/** A uni-modal teacher: encoder + linear head. Outputs `[logits [batch, classes], features [batch, featureDim]]`. */
export function buildTeacher(
  modality: ModalityInput,
  classes: number,
  config: RunConfig,
  seeds: SeedSequence,
): tf.LayersModel {
  const input = tf.input({ shape: modality.shape, name: layerName('input', modality.name) });
  const features = buildEncoder(modality, config, seeds).apply(input) as tf.SymbolicTensor;
  const logits = linearHead(layerName('head', modality.name), classes, seeds).apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [logits, features], name: layerName('teacher', modality.name) });
}

/**
 * Late fusion (paper 4.3): one encoder per modality, features concatenated, one linear head.
 * Inputs: one tensor per modality. Outputs `[logits, features of modality 0, features of modality 1, …]`;
 * with `auxiliaryHeads` (Auxiliary-CE, §4.3) also one linear head per modality on its features, their
 * logits after the features: `[…, logits of modality 0, logits of modality 1, …]`.
 */
export function buildFusion(
  modalities: ModalityInput[],
  classes: number,
  config: RunConfig,
  seeds: SeedSequence,
  name: string,
  options: { auxiliaryHeads?: boolean; modalityDropout?: boolean } = {},
): tf.LayersModel {
  const inputs = modalities.map((m) => tf.input({ shape: m.shape, name: layerName('input', m.name) }));
  const features = modalities.map(
    (m, i) => buildEncoder(m, config, seeds).apply(inputs[i] as tf.SymbolicTensor) as tf.SymbolicTensor,
  );
  const concatenated = tf.layers.concatenate({ axis: -1 }).apply(features) as tf.SymbolicTensor;
  const sizes = features.map((f) => (f.shape.at(-1) as number | undefined) ?? 0);
  const joined = options.modalityDropout
    ? (new ModalityDropout(sizes, MODALITY_DROPOUT_LAYER).apply(concatenated) as tf.SymbolicTensor)
    : concatenated;
  const logits = linearHead('head_fused', classes, seeds).apply(joined) as tf.SymbolicTensor;
  const auxiliary = options.auxiliaryHeads
    ? modalities.map(
        (m, i) =>
          linearHead(layerName('head_aux', m.name), classes, seeds).apply(
            features[i] as tf.SymbolicTensor,
          ) as tf.SymbolicTensor,
      )
    : [];
  return tf.model({ inputs, outputs: [logits, ...features, ...auxiliary], name });
}

/** A linear classifier on fixed features `[batch, inputDim]` → logits `[batch, classes]`. */
export function buildLinear(inputDim: number, classes: number, seeds: SeedSequence, name: string): tf.LayersModel {
  const input = tf.input({ shape: [inputDim] });
  const logits = linearHead(`${name}_dense`, classes, seeds).apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [logits], name });
}

/** Calls a model eagerly on input tensors and returns its outputs as a list (BN uses batch statistics when training). */
export function applyModel(model: tf.LayersModel, inputs: tf.Tensor[], training: boolean): tf.Tensor[] {
  const raw = model.apply(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs, { training });
  return (Array.isArray(raw) ? raw : [raw]) as tf.Tensor[];
}
