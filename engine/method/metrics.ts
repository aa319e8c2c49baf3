import type { Evaluation } from '../protocol/run';
import { SeededRandom } from '../util/random';

/** Predicted class of each row of `probabilities` `[n, classes]`. */
export function argmaxRows(probabilities: Float32Array, classes: number): Int32Array {
  const n = probabilities.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i += 1) {
    let best = 0;
    for (let c = 1; c < classes; c += 1)
      if ((probabilities[i * classes + c] ?? 0) > (probabilities[i * classes + best] ?? 0)) best = c;
    out[i] = best;
  }
  return out;
}

/** Accuracy, macro-F1 (mean over classes of F1; a class never predicted nor present counts as 0), per-class accuracy, confusion. */
export function evaluatePredictions(
  model: string,
  split: Evaluation['split'],
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
): Omit<Evaluation, 'seed'> {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let i = 0; i < actual.length; i += 1) {
    const a = actual[i] ?? 0;
    const p = predicted[i] ?? 0;
    (confusion[a] as number[])[p] = ((confusion[a] as number[])[p] ?? 0) + 1;
    if (a === p) correct += 1;
  }
  const perClassAccuracy = confusion.map((row, c) => {
    const total = row.reduce((s, v) => s + v, 0);
    return total > 0 ? (row[c] ?? 0) / total : 0;
  });
  const f1 = confusion.map((row, c) => {
    const truePositives = row[c] ?? 0;
    const actualCount = row.reduce((s, v) => s + v, 0);
    const predictedCount = confusion.reduce((s, r) => s + (r[c] ?? 0), 0);
    return actualCount + predictedCount > 0 ? (2 * truePositives) / (actualCount + predictedCount) : 0;
  });
  return {
    model,
    split,
    accuracy: actual.length > 0 ? correct / actual.length : 0,
    macroF1: f1.reduce((s, v) => s + v, 0) / classes,
    perClassAccuracy,
    confusion,
  };
}

/**
 * Bootstrap 95% interval of mean(correctA) − mean(correctB), percentile method. Paired: both models are
 * scored on the same samples, which are resampled together. With several seeds (one correctness vector per
 * seed, same samples in each), each resample also draws the seeds with replacement, so the interval covers
 * both the split's sampling noise and the training's seed noise (a two-level bootstrap).
 */
export function bootstrapDifference(
  correctA: Uint8Array | Uint8Array[],
  correctB: Uint8Array | Uint8Array[],
  resamples: number,
  seed: number,
): [number, number] {
  const a = Array.isArray(correctA) ? correctA : [correctA];
  const b = Array.isArray(correctB) ? correctB : [correctB];
  const seeds = Math.min(a.length, b.length);
  const n = a[0]?.length ?? 0;
  if (n === 0 || seeds === 0) return [0, 0];
  const random = new SeededRandom(seed);
  const differences = new Float64Array(resamples);
  const drawn = new Int32Array(seeds);
  for (let r = 0; r < resamples; r += 1) {
    // One seed needs no draw: the numbers stay those of a plain paired bootstrap.
    for (let s = 0; s < seeds; s += 1) drawn[s] = seeds === 1 ? 0 : random.int(seeds);
    let diff = 0;
    for (let i = 0; i < n; i += 1) {
      const j = random.int(n);
      for (let s = 0; s < seeds; s += 1) {
        const k = drawn[s] ?? 0;
        diff += ((a[k] as Uint8Array)[j] ?? 0) - ((b[k] as Uint8Array)[j] ?? 0);
      }
    }
    differences[r] = diff / (n * seeds);
  }
  differences.sort();
  const at = (q: number) => differences[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))] ?? 0;
  return [at(0.025), at(0.975)];
}

/** Whether a 95% interval of a difference contains 0: the data cannot tell the two apart. */
export function withinNoise(interval: [number, number]): boolean {
  return interval[0] <= 0 && interval[1] >= 0;
}

/** The share of 1s in a correctness vector: the accuracy it records (0 for none). */
export function accuracyOf(correct: Uint8Array): number {
  return correct.length ? correct.reduce((s, v) => s + v, 0) / correct.length : 0;
}

export function correctness(actual: ArrayLike<number>, predicted: ArrayLike<number>): Uint8Array {
  return Uint8Array.from({ length: actual.length }, (_, i) => (actual[i] === predicted[i] ? 1 : 0));
}
