/**
 * `run:estimate`: what a run with these settings would cost on this data, measured before it
 * starts. The UI multiplies it out with the epochs as the user edits them (renderer/src/lib/eta.ts).
 */
export interface RunEstimate {
  /** The backend the run would train on (with `auto`: the one it would choose, by the same measurement). */
  backend: string;
  /** Training samples and batches per epoch at the configured batch size. */
  trainSamples: number;
  batchesPerEpoch: number;
  /** Milliseconds per training step of each modality's teacher. */
  teacherStepMs: Record<string, number>;
  /** Milliseconds per training step of the fused network (all encoders, with UMT's distillation term). */
  fusedStepMs: number;
  /** How long the timing itself took. */
  measuredInMs: number;
}
