import * as tf from '@tensorflow/tfjs';

/** One modality's OGM-GE coefficient over the steps that modulated, as a run records it. */
export interface CoefficientMean {
  /** Mean of k_u over the modulated steps (1: never slowed; 1 − tanh(α·ρ) < 1 when it dominated). */
  meanCoefficient: number;
  steps: number;
}

/**
 * Sums OGM-GE's coefficients k_u (ogm-ge.ts) over the steps that modulate, wherever a step computes them: the
 * tfjs hook adds its `[M]` tensor on the device (no read per step), the compiled WebGPU step sums them in a
 * buffer of its own that the loop hands over once per epoch. What it shows is how hard, on average, OGM-GE
 * slowed each modality's encoder: the number the PyTorch reference (bench/reference/comparators.py) is
 * compared on. A phase resumed from a checkpoint counts only the steps after the resume.
 */
export class CoefficientTally {
  private deviceSum: tf.Tensor | null = null;
  private deviceSteps = 0;
  private readonly hostSums: number[];
  private hostSteps = 0;

  constructor(readonly modalities: number) {
    this.hostSums = new Array<number>(modalities).fill(0);
  }

  /** One step's `[M]` coefficients, on the device (kept here until {@link means} or {@link dispose}). */
  addTensor(coefficients: tf.Tensor): void {
    const previous = this.deviceSum;
    this.deviceSum = tf.keep(previous ? tf.add(previous, coefficients) : tf.clone(coefficients));
    previous?.dispose();
    this.deviceSteps += 1;
  }

  /** Sums of k_u over `steps` steps, read back from the compiled step. */
  addSums(sums: ArrayLike<number>, steps: number): void {
    for (let u = 0; u < this.modalities; u += 1) this.hostSums[u] = (this.hostSums[u] ?? 0) + (sums[u] ?? 0);
    this.hostSteps += steps;
  }

  /** Each modality's mean coefficient, or null when no step modulated (a phase restored whole from its checkpoint). */
  async means(): Promise<CoefficientMean[] | null> {
    const steps = this.deviceSteps + this.hostSteps;
    if (steps === 0) return null;
    const device = this.deviceSum ? await this.deviceSum.data() : new Float32Array(this.modalities);
    return this.hostSums.map((sum, u) => ({ meanCoefficient: (sum + (device[u] ?? 0)) / steps, steps }));
  }

  dispose(): void {
    this.deviceSum?.dispose();
    this.deviceSum = null;
  }
}
