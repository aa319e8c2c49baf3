import type * as tf from '@tensorflow/tfjs';
import { isLinearClassifier } from '../linear-step';
import { MODALITY_DROPOUT_LAYER } from '../models/networks';
import type { ConvEncoderSpec } from '../../runtime/webgpu/conv-encoder';
import type { DenseEncoderSpec } from '../../runtime/webgpu/dense-encoder';
import { networkParameters, type EncoderSpec, type NetworkStepSpec } from '../../runtime/webgpu/network-layout';

type Config = Record<string, unknown>;
const sameList = (value: unknown, expected: number[]) =>
  Array.isArray(value) && value.length === expected.length && value.every((v, i) => v === expected[i]);

/** An MLP encoder's spec: every layer dense + ReLU with a bias. */
function denseSpecOf(layers: tf.layers.Layer[]): DenseEncoderSpec | null {
  if (
    layers.length === 0 ||
    layers.some((d) => d.getClassName() !== 'Dense' || d.getConfig().activation !== 'relu' || !d.getConfig().useBias)
  )
    return null;
  return { inputDim: layers[0]!.getWeights()[0]!.shape[0]!, hidden: layers.map((d) => d.getConfig().units as number) };
}

/**
 * A convolutional encoder's spec: blocks of Conv2D (3×3, 'same', stride 1, no bias, linear) → BatchNormalization
 * (last axis, centred and scaled) → ReLU → optional MaxPooling2D (2×2, stride 2, 'valid'), then
 * GlobalAveragePooling2D and a dense + ReLU layer: exactly what engine/train/models/networks.ts builds.
 */
function convSpecOf(layers: tf.layers.Layer[], inputShape: number[]): ConvEncoderSpec | null {
  const [height, width, channels] = inputShape;
  if (height === undefined || width === undefined || channels === undefined || inputShape.length !== 3) return null;
  const blocks: ConvEncoderSpec['blocks'] = [];
  let epsilon: number | null = null;
  let momentum: number | null = null;
  let at = 0;
  const next = (kind: string): Config | null =>
    layers[at]?.getClassName() === kind ? (layers[at++] as tf.layers.Layer).getConfig() : null;
  for (;;) {
    const conv = next('Conv2D');
    if (!conv) break;
    const bn = next('BatchNormalization');
    const relu = next('Activation');
    if (
      !sameList(conv.kernelSize, [3, 3]) ||
      conv.padding !== 'same' ||
      !sameList(conv.strides, [1, 1]) ||
      !sameList(conv.dilationRate, [1, 1]) ||
      conv.useBias ||
      conv.activation !== 'linear'
    )
      return null;
    if (
      !bn ||
      (bn.axis !== -1 && bn.axis !== 3) ||
      bn.center !== true ||
      bn.scale !== true ||
      !relu ||
      relu.activation !== 'relu'
    )
      return null;
    // One ε and momentum for the encoder: the kernels take them as constants.
    if ((epsilon !== null && epsilon !== bn.epsilon) || (momentum !== null && momentum !== bn.momentum)) return null;
    epsilon = bn.epsilon as number;
    momentum = bn.momentum as number;
    const pool = next('MaxPooling2D');
    if (pool && (!sameList(pool.poolSize, [2, 2]) || !sameList(pool.strides, [2, 2]) || pool.padding !== 'valid'))
      return null;
    blocks.push({ filters: conv.filters as number, pool: pool !== null });
  }
  if (blocks.length === 0 || epsilon === null || momentum === null || !next('GlobalAveragePooling2D')) return null;
  const dense = next('Dense');
  if (!dense || dense.activation !== 'relu' || !dense.useBias || at !== layers.length) return null;
  return { kind: 'conv', height, width, channels, blocks, featureDim: dense.units as number, epsilon, momentum };
}

/**
 * The network of a tfjs model as the compiled step can train it, or null: a teacher or a late-fusion model
 * (engine/train/models/networks.ts) whose encoders are MLPs or convolutional encoders, with one linear head and
 * nothing else that trains but one linear head per encoder (Auxiliary-CE, G-Blending), and modality dropout on
 * the concatenated features; or a linear classifier on fixed features (the probes, the decision classifier).
 */
export function networkSpecOf(model: tf.LayersModel, batch: number, classes: number): NetworkStepSpec | null {
  if (isLinearClassifier(model)) return linearSpecOf(model, batch, classes);
  const encoders: EncoderSpec[] = [];
  let head: tf.layers.Layer | null = null;
  const auxiliary: tf.layers.Layer[] = [];
  let modalityDropout = false;
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (kind === 'InputLayer' || kind === 'Concatenate') continue;
    if (layer.name === MODALITY_DROPOUT_LAYER) {
      modalityDropout = true;
      continue;
    }
    if (kind === 'Sequential' && layer.name.startsWith('encoder_')) {
      const inner = (layer as tf.Sequential).layers;
      const shape = (layer as tf.Sequential).inputs[0]?.shape.slice(1) as number[] | undefined;
      const encoder = denseSpecOf(inner) ?? (shape ? convSpecOf(inner, shape) : null);
      if (!encoder) return null;
      encoders.push(encoder);
      continue;
    }
    if (kind === 'Dense' && layer.name.startsWith('head_aux') && layer.getConfig().activation === 'linear') {
      auxiliary.push(layer);
      continue;
    }
    if (kind === 'Dense' && !head && layer.name.startsWith('head') && layer.getConfig().activation === 'linear') {
      head = layer;
      continue;
    }
    return null;
  }
  // Auxiliary heads (Auxiliary-CE, G-Blending): one per encoder, their logits after the features.
  const heads = auxiliary.length > 0 ? encoders.length : 0;
  if (
    !head ||
    encoders.length === 0 ||
    (heads > 0 && auxiliary.length !== heads) ||
    model.outputs.length !== 1 + encoders.length + heads ||
    model.inputs.length !== encoders.length
  )
    return null;
  if ([head, ...auxiliary].some((h) => (h.getConfig().units as number) !== classes)) return null;
  const spec: NetworkStepSpec = {
    batch,
    classes,
    encoders,
    ...(heads > 0 ? { auxiliaryHeads: true } : {}),
    ...(modalityDropout ? { modalityDropout } : {}),
  };
  // The same parameters in the same order as the model's weights, or the model is something else.
  const expected = model.getWeights().map((w) => w.shape.join('x'));
  const compiled = networkParameters(spec).slots.map((slot) => slot.shape.join('x'));
  return expected.length === compiled.length && expected.every((shape, i) => shape === compiled[i]) ? spec : null;
}

/** A linear classifier (linear-step.ts's `isLinearClassifier`) as one identity encoder and the head; its only output is the logits. */
function linearSpecOf(model: tf.LayersModel, batch: number, classes: number): NetworkStepSpec | null {
  const [kernel] = model.getWeights();
  const inputDim = kernel?.shape[0];
  if (inputDim === undefined || kernel?.shape[1] !== classes || model.outputs.length !== 1) return null;
  return { batch, classes, encoders: [{ kind: 'identity', inputDim }] };
}
