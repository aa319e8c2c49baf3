import type { SeedStat } from '../protocol/run';

/** Mean, sample standard deviation (n − 1; 0 for one seed) and the values themselves, in seed order. */
export function seedStat(perSeed: number[]): SeedStat {
  const n = perSeed.length;
  const mean = n ? perSeed.reduce((s, v) => s + v, 0) / n : 0;
  const sd = n > 1 ? Math.sqrt(perSeed.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, perSeed: [...perSeed] };
}
