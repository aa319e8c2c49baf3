/**
 * OGM-GE's Gaussian noise (ogm-ge.ts) from a counter-based generator that JavaScript and WGSL compute alike: a
 * sample is a pure function of (seed, epoch, step, modality, weight, element), so the tfjs step and the compiled
 * WebGPU step (engine/runtime/webgpu) add the same noise, runs repeat, and no generator state is carried.
 * The hash is PCG's output permutation (O'Neill 2014; "Hash Functions for GPU Rendering", Jarzynski & Olano
 * 2020, recommend it); two 24-bit uniforms make one normal by Box–Muller.
 */

/** PCG hash of a 32-bit word. */
export function pcgHash(value: number): number {
  const state = (Math.imul(value >>> 0, 747_796_405) + 2_891_336_453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277_803_737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** The key of one step's noise. */
export function stepNoiseKey(seed: number, epoch: number, step: number): number {
  return pcgHash((seed >>> 0) ^ pcgHash((epoch >>> 0) ^ pcgHash(step >>> 0)));
}

/** The key of one weight's noise in a step: modality u's w-th modulated weight. */
export function weightNoiseKey(stepKey: number, modality: number, weight: number): number {
  return pcgHash(stepKey ^ pcgHash(modality * 4096 + weight));
}

/** `size` standard normal samples of a weight's key: element i from the hashes of (key, 2i) and (key, 2i + 1). */
export function gaussianNoise(key: number, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i += 1) {
    const a = pcgHash(key ^ pcgHash(2 * i));
    const b = pcgHash(key ^ pcgHash(2 * i + 1));
    const u1 = ((a >>> 8) + 1) / 16_777_216;
    const u2 = (b >>> 8) / 16_777_216;
    out[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  return out;
}

/** The same in WGSL: `fn gaussian(key: u32, i: u32) -> f32`. */
export const WGSL_GAUSSIAN = /* wgsl */ `
fn pcgHash(value: u32) -> u32 {
  let state = value * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn gaussian(key: u32, i: u32) -> f32 {
  let a = pcgHash(key ^ pcgHash(2u * i));
  let b = pcgHash(key ^ pcgHash(2u * i + 1u));
  let u1 = (f32(a >> 8u) + 1.0) / 16777216.0;
  let u2 = f32(b >> 8u) / 16777216.0;
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}`;
