import type { SeedStat } from './run';

/** Mean, sample standard deviation (n − 1; 0 for one seed) and the values themselves, in seed order. */
export function seedStat(perSeed: number[]): SeedStat {
  const n = perSeed.length;
  const mean = n ? perSeed.reduce((s, v) => s + v, 0) / n : 0;
  const sd = n > 1 ? Math.sqrt(perSeed.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, perSeed: [...perSeed] };
}

/** `81.2%`, or `81.2% ± 1.3` when several seeds gave it; `—` for none. */
export function seedStatText(stat: SeedStat | null | undefined): string {
  if (!stat || stat.perSeed.length === 0) return '—';
  const mean = `${(stat.mean * 100).toFixed(1)}%`;
  return stat.perSeed.length > 1 ? `${mean} ± ${(stat.sd * 100).toFixed(1)}` : mean;
}
