import {
  batchNormGradKernel,
  batchNormGradSumsKernel,
  batchNormReluKernel,
  batchNormStatsKernel,
  convFilterGradKernel,
  convForwardKernel,
  convInputGradKernel,
  filterGradSplits,
  flatWorkgroups,
  globalAveragePoolGradKernel,
  globalAveragePoolKernel,
  imageElements,
  maxPoolGradKernel,
  maxPoolKernel,
  pooledShape,
  sumSplitsKernel,
  type BatchNormSlots,
  type ImageShape,
} from './conv-kernels';
import { denseBackward, denseForward, denseLayerFrom, denseParameters } from './dense-layer';
import type { Dispatch } from './gpu-context';
import { rowMajor } from './kernels';
import type { Block, EncoderKind, ParameterDeclaration, ParameterSlot } from './step-builder';

/**
 * A convolutional encoder (engine/train/models/networks.ts, images and spectrograms): blocks of conv3×3 'same'
 * (no bias) → batch norm → ReLU (→ 2×2 max-pool), global average pooling, dense + ReLU to `featureDim`.
 */
export interface ConvEncoderSpec {
  kind: 'conv';
  height: number;
  width: number;
  channels: number;
  blocks: { filters: number; pool: boolean }[];
  featureDim: number;
  /** Batch norm's ε and momentum (the layers' own: engine/train/models/networks.ts sets momentum 0.9). */
  epsilon: number;
  momentum: number;
}

/** Each block's input shape, for a batch of `rows`. */
function blockInputs(spec: ConvEncoderSpec, rows: number): ImageShape[] {
  let shape: ImageShape = { rows, height: spec.height, width: spec.width, channels: spec.channels };
  return spec.blocks.map((block) => {
    const input = shape;
    const output = { ...shape, channels: block.filters };
    shape = block.pool ? pooledShape(output) : output;
    return input;
  });
}

const lastChannels = (spec: ConvEncoderSpec) => spec.blocks.at(-1)?.filters ?? spec.channels;

export const convEncoder: EncoderKind<ConvEncoderSpec> = {
  // In the tfjs model's order: the trainable weights (kernel, γ, β per block, then the dense layer) come
  // first and the moving averages after every trainable weight of the network (network-step.ts sorts them).
  parameters: (spec) => {
    const declared: ParameterDeclaration[] = [];
    blockInputs(spec, 1).forEach((input, i) => {
      const filters = spec.blocks[i]!.filters;
      declared.push({
        key: `conv${i}/kernel`,
        name: `conv${i}/kernel`,
        shape: [3, 3, input.channels, filters],
        trainable: true,
      });
      declared.push(
        { key: `bn${i}/gamma`, name: `bn${i}/gamma`, shape: [filters], trainable: true },
        { key: `bn${i}/beta`, name: `bn${i}/beta`, shape: [filters], trainable: true },
      );
      declared.push(
        { key: `bn${i}/moving_mean`, name: `bn${i}/moving_mean`, shape: [filters], trainable: false },
        { key: `bn${i}/moving_variance`, name: `bn${i}/moving_variance`, shape: [filters], trainable: false },
      );
    });
    return [...declared, ...denseParameters('dense', lastChannels(spec), spec.featureDim)];
  },
  inputWords: (spec) => spec.height * spec.width * spec.channels,
  featureDim: (spec) => spec.featureDim,
  compile(builder, shared, spec, slots, input, output) {
    const { rows } = shared;
    const slot = (key: string) => {
      const found = slots.get(key);
      if (!found) throw new Error(`No parameter ${key} was declared for this convolutional encoder.`);
      return found;
    };
    const blocks = blockInputs(spec, rows).map((inputShape, i) => {
      const filters = spec.blocks[i]!.filters;
      const shape: ImageShape = { ...inputShape, channels: filters };
      const pool = spec.blocks[i]!.pool;
      const bn: BatchNormSlots = {
        gamma: slot(`bn${i}/gamma`).offset,
        beta: slot(`bn${i}/beta`).offset,
        movingMean: slot(`bn${i}/moving_mean`).offset,
        movingVariance: slot(`bn${i}/moving_variance`).offset,
        epsilon: spec.epsilon,
        momentum: spec.momentum,
      };
      const conv = builder.buffer(imageElements(shape), `conv ${i}`);
      const activated = builder.buffer(imageElements(shape), `activation ${i}`);
      const pooled = pool ? builder.buffer(imageElements(pooledShape(shape)), `pooled ${i}`) : null;
      return {
        inputShape,
        shape,
        filters,
        pool,
        bn,
        kernel: slot(`conv${i}/kernel`) as ParameterSlot,
        conv,
        activated,
        pooled,
        stats: builder.buffer(2 * filters, `batch statistics ${i}`),
      };
    });
    // The backward pass's buffers, made only by a step that trains (inference compiles the forward pass alone).
    const gradientBuffers = (i: number) => {
      const { shape, pool, filters } = blocks[i]!;
      // The gradient of the block's output (what the next block or the pooling reads), and of its activation.
      const dOutput = builder.buffer(imageElements(pool ? pooledShape(shape) : shape), `d output ${i}`);
      const dActivated = pool ? builder.buffer(imageElements(shape), `d activation ${i}`) : dOutput;
      return {
        dOutput,
        dActivated,
        sums: builder.buffer(2 * filters, `batch-norm gradient sums ${i}`),
        dConv: builder.buffer(imageElements(shape), `d conv ${i}`),
      };
    };
    const last = blocks.at(-1)!;
    const lastShape = last.pool ? pooledShape(last.shape) : last.shape;
    const channels = lastChannels(spec);
    const averaged: Block = { buffer: builder.buffer(rows * channels, 'global average'), view: rowMajor(0, channels) };
    const dense = denseLayerFrom(slots, 'dense');
    const outputOf = (block: (typeof blocks)[number]) => block.pooled ?? block.activated;
    const inputOf = (i: number) => (i === 0 ? input : outputOf(blocks[i - 1]!));
    return {
      forward(into: Dispatch[], training: boolean) {
        blocks.forEach((block, i) => {
          builder.product(
            into,
            convForwardKernel({ input: block.inputShape, filters: block.filters, kernelOffset: block.kernel.offset }),
            'conv3x3',
            [inputOf(i), shared.params, block.conv],
          );
          if (training)
            builder.kernel(
              into,
              batchNormStatsKernel(block.shape, block.bn),
              'batch-norm statistics',
              [block.conv, shared.labels, block.stats, shared.params],
              [block.filters],
            );
          builder.kernel(
            into,
            batchNormReluKernel(block.shape, block.bn, training),
            'batch norm + relu',
            [block.conv, shared.params, block.activated, ...(training ? [block.stats] : [])],
            flatWorkgroups(imageElements(block.shape)),
          );
          if (block.pooled)
            builder.kernel(
              into,
              maxPoolKernel(block.shape),
              'max-pool',
              [block.activated, block.pooled],
              flatWorkgroups(imageElements(pooledShape(block.shape))),
            );
        });
        builder.kernel(
          into,
          globalAveragePoolKernel(lastShape),
          'global average pool',
          [outputOf(last), averaged.buffer],
          flatWorkgroups(rows * channels),
        );
        denseForward(builder, into, shared, dense, averaged, output);
      },
      backward(into: Dispatch[], dOutput: Block) {
        const grads = blocks.map((_, i) => gradientBuffers(i));
        const dAverage = denseBackward(builder, into, shared, dense, averaged, output, dOutput, true)!;
        builder.kernel(
          into,
          globalAveragePoolGradKernel(lastShape),
          'global average pool gradient',
          [dAverage.buffer, grads.at(-1)!.dOutput],
          flatWorkgroups(imageElements(lastShape)),
        );
        for (let i = blocks.length - 1; i >= 0; i -= 1) {
          const block = { ...blocks[i]!, ...grads[i]! };
          if (block.pool)
            builder.kernel(
              into,
              maxPoolGradKernel(block.shape),
              'max-pool gradient',
              [block.activated, block.dOutput, block.dActivated],
              flatWorkgroups(imageElements(block.shape)),
            );
          builder.kernel(
            into,
            batchNormGradSumsKernel(block.shape, block.bn),
            'batch-norm gradient sums',
            [block.dActivated, block.activated, block.conv, block.stats, shared.labels, shared.grads, block.sums],
            [block.filters],
          );
          builder.kernel(
            into,
            batchNormGradKernel(block.shape, block.bn),
            'batch-norm gradient',
            [
              block.dActivated,
              block.activated,
              block.conv,
              block.stats,
              shared.labels,
              shared.params,
              block.sums,
              block.dConv,
            ],
            flatWorkgroups(imageElements(block.shape)),
          );
          const conv = { input: block.inputShape, filters: block.filters, kernelOffset: block.kernel.offset };
          const splits = filterGradSplits(block.inputShape);
          const partial = builder.buffer(splits * block.kernel.size, `filter gradient partial sums ${i}`);
          builder.product(into, convFilterGradKernel(conv), 'conv3x3 filter gradient', [
            inputOf(i),
            block.dConv,
            partial,
          ]);
          builder.kernel(
            into,
            sumSplitsKernel(block.kernel.size, splits, block.kernel.offset),
            'sum of partial sums',
            [partial, shared.grads],
            flatWorkgroups(block.kernel.size),
          );
          if (i > 0)
            builder.product(into, convInputGradKernel(conv), 'conv3x3 input gradient', [
              block.dConv,
              shared.params,
              grads[i - 1]!.dOutput,
            ]);
        }
      },
    };
  },
};
