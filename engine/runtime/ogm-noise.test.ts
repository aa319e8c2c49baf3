import { describe, expect, it } from 'vitest';
import { gaussianNoise, pcgHash, stepNoiseKey, weightNoiseKey } from './ogm-noise';

describe("OGM-GE's noise", () => {
  it('is standard normal: mean 0, variance 1, a normal share within one and two standard deviations', () => {
    const samples = gaussianNoise(weightNoiseKey(stepNoiseKey(7, 1, 0), 0, 0), 200_000);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (samples.length - 1);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.015);
    const within = (k: number) => samples.filter((x) => Math.abs(x) < k).length / samples.length;
    expect(within(1)).toBeCloseTo(0.6827, 2);
    expect(within(2)).toBeCloseTo(0.9545, 2);
    expect(samples.every(Number.isFinite)).toBe(true);
  });

  it('repeats for the same seed, epoch, step, modality and weight, and differs when any of them changes', () => {
    const draw = (seed: number, epoch: number, step: number, modality: number, weight: number) =>
      Array.from(gaussianNoise(weightNoiseKey(stepNoiseKey(seed, epoch, step), modality, weight), 8));
    const base = draw(1, 2, 3, 0, 1);
    expect(draw(1, 2, 3, 0, 1)).toEqual(base);
    for (const other of [
      draw(2, 2, 3, 0, 1),
      draw(1, 3, 3, 0, 1),
      draw(1, 2, 4, 0, 1),
      draw(1, 2, 3, 1, 1),
      draw(1, 2, 3, 0, 2),
    ])
      expect(other).not.toEqual(base);
  });

  it("hashes with PCG's output permutation on 32-bit words (the WGSL side wraps the same way)", () => {
    // Values of the reference pcg_hash (Jarzynski & Olano 2020) for 0 and 1.
    expect(pcgHash(0)).toBe(129_708_002);
    expect(pcgHash(1)).toBe(2_831_084_092);
  });
});
