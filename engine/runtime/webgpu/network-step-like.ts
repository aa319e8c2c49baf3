import type { NetworkStepSpec } from './network-layout';
import type { ParameterSlot } from './step-builder';

/** What {@link NetworkStepLike.infer} gives: `[count, classes]` logits, `[count, Σ widths]` features, `[count, classes]` per auxiliary head. */
export interface Inferred {
  logits: Float32Array;
  features: Float32Array;
  auxiliaryLogits: Float32Array[];
}

/** What a training step is told besides its batch. */
export interface StepOptions {
  /** Modality dropout: the modality whose features this step zeroes, or null. */
  dropped?: number | null;
  /** OGM-GE: this step's noise key (ogm-noise.ts stepNoiseKey) when it modulates, else null. */
  noiseKey?: number | null;
}

/** A batch's training loss, as {@link NetworkStepLike.takeLoss} reads it back. */
export interface StepLoss {
  meanLoss: number;
  extraLoss: number;
  accuracy: number;
  samples: number;
  steps: number;
  /** OGM-GE: each modality's coefficient summed over the steps that modulated, and how many did. */
  coefficientSums?: number[];
  modulatedSteps?: number;
}

/**
 * What training and inference use of a compiled network, wherever its GPU is: {@link CompiledNetworkStep} on a
 * device of this process, or a proxy to one in the desktop app's GPU window (remote-step.ts). Calls without a
 * result are queued in order; those with one are answered in that order too.
 */
export interface NetworkStepLike {
  readonly spec: NetworkStepSpec;
  readonly slots: ParameterSlot[];
  readonly trainableSlots: ParameterSlot[];
  readonly dispatchCount: number;
  setWeights(weights: Float32Array[]): void;
  getWeights(): Promise<Float32Array[]>;
  /** The optimizer's state: per state buffer (Adam: m, v; SGD: momentum), per trainable parameter; and its step count. */
  getOptimizerState(): Promise<{ state: Float32Array[][]; steps: number }>;
  setOptimizerState(state: Float32Array[][], steps: number): void;
  uploadResident(inputs: Float32Array[], labels: Int32Array, teacherFeatures?: Float32Array): void;
  stepResident(positions: ArrayLike<number>, learningRate: number, options?: StepOptions): void;
  evaluateResident(positions: number[]): Promise<{ meanLoss: number; accuracy: number; samples: number }>;
  step(
    inputs: Float32Array[],
    labels: Int32Array,
    learningRate: number,
    teacherFeatures?: Float32Array,
    options?: StepOptions,
  ): void;
  takeLoss(): Promise<StepLoss>;
  infer(inputs: Float32Array[], count: number): Promise<Inferred>;
  dispose(): void;
}
