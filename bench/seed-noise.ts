/**
 * Whether two implementations' results over seeds differ by more than seed noise: Welch's t-test at 95%
 * (two-sided), for a benchmark's words, not for any decision the app makes (those use the paired bootstrap,
 * engine/method/metrics.ts). With 3 seeds a side the test is weak: "within seed noise" means the seeds do not
 * tell the two apart, not that they are equal.
 */

export interface Comparison {
  /** Mean of `a` − mean of `b`. */
  difference: number;
  /** Half-width of the 95% interval of the difference; NaN with fewer than 2 values a side. */
  margin: number;
  withinNoise: boolean;
  words: string;
}

/** Two-sided 97.5% quantiles of Student's t by degrees of freedom (a df between two rows takes the lower row: wider). */
const T_975: [number, number][] = [
  [1, 12.706],
  [2, 4.303],
  [3, 3.182],
  [4, 2.776],
  [5, 2.571],
  [6, 2.447],
  [7, 2.365],
  [8, 2.306],
  [9, 2.262],
  [10, 2.228],
  [12, 2.179],
  [15, 2.131],
  [20, 2.086],
  [30, 2.042],
  [60, 2.0],
  [120, 1.98],
];

export function tQuantile975(df: number): number {
  if (!(df >= 1)) return Number.NaN;
  let value = T_975[0]![1];
  for (const [rowDf, t] of T_975) if (df >= rowDf) value = t;
  return df > 1e6 ? 1.96 : value;
}

const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
const variance = (values: number[]) => {
  const m = mean(values);
  return values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1);
};

export function compareSamples(a: number[], b: number[]): Comparison {
  const difference = mean(a) - mean(b);
  if (a.length < 2 || b.length < 2 || [...a, ...b].some((v) => !Number.isFinite(v))) {
    return {
      difference,
      margin: Number.NaN,
      withinNoise: false,
      words: `${signed(difference)} (too few seeds to judge)`,
    };
  }
  const va = variance(a) / a.length;
  const vb = variance(b) / b.length;
  const se = Math.sqrt(va + vb);
  // Welch–Satterthwaite degrees of freedom; both sides without spread: any difference is real.
  const df = se > 0 ? (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1)) : Number.POSITIVE_INFINITY;
  const margin = se > 0 ? tQuantile975(df) * se : 0;
  const withinNoise = Math.abs(difference) <= margin;
  return {
    difference,
    margin,
    withinNoise,
    words: `${signed(difference)} (${withinNoise ? 'within' : 'outside'} seed noise, ±${format(margin)})`,
  };
}

/** "mean ± sd" of the values with `digits` decimals (sd over seeds, n − 1). */
export function formatStat(values: number[], digits: number): string {
  if (values.length === 0) return '—';
  const m = mean(values);
  return values.length > 1
    ? `${m.toFixed(digits)} ± ${Math.sqrt(variance(values)).toFixed(digits)}`
    : m.toFixed(digits);
}

const format = (v: number) => (Math.abs(v) >= 1 ? v.toFixed(1) : v.toPrecision(2));
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${format(Math.abs(v))}`;
