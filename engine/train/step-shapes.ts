import type { RunConfig } from '../protocol/run';
import type { ModalityInput } from './models/networks';

/**
 * The two step shapes of the benchmark, identical on both sides (bench/reference/steps.py): two modalities,
 * late fusion of their encoders, a linear head, batch 64, Adam, cross-entropy + 50 x MSE feature
 * distillation to fixed teacher features (the UMT step, paper A.4).
 */
export interface StepShape {
  name: 'mlp' | 'cnn';
  modalities: ModalityInput[];
  config: Pick<RunConfig, 'mlpHidden' | 'cnnChannels' | 'cnnFeatureDim'>;
  featureDim: number;
}

export const BATCH = 64;
export const CLASSES = 10;
export const DISTILL_WEIGHT = 50;

export const SHAPES: StepShape[] = [
  // 2 modalities x 256 → 512 → 256, + linear head.
  {
    name: 'mlp',
    modalities: [
      { name: 'a', kind: 'vector', shape: [256] },
      { name: 'b', kind: 'vector', shape: [256] },
    ],
    config: { mlpHidden: [512, 256], cnnChannels: [], cnnFeatureDim: 0 },
    featureDim: 256,
  },
  // 2 modalities x 1x32x32: conv32-BN-ReLU-pool-conv64-BN-ReLU-GAP-dense128, + linear head.
  {
    name: 'cnn',
    modalities: [
      { name: 'a', kind: 'image', shape: [32, 32, 1] },
      { name: 'b', kind: 'image', shape: [32, 32, 1] },
    ],
    config: { mlpHidden: [], cnnChannels: [32, 64], cnnFeatureDim: 128 },
    featureDim: 128,
  },
];
