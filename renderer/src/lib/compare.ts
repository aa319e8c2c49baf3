import { duration } from './format';
import type { EpochMetrics, SeedStat } from '../../../engine/protocol/run';
import type { StoredRun } from '../../../engine/protocol/store';
import { methodLabel, phaseKey } from './phases';
import { probeStat } from './results';

/** The epoch curves of a stored run, by phase key (seeds after the first keyed apart). */
export function curvesOf(run: StoredRun): Map<string, EpochMetrics[]> {
  return new Map(
    run.phases
      .filter((p) => p.epochs.length > 0)
      .map((p) => [
        phaseKey({ phase: p.name, modality: p.modality, model: p.model, seed: p.seed }, run.seed),
        p.epochs,
      ]),
  );
}

/** Phase keys every compared run has, in the first run's order: the curves that can be overlaid. */
export function commonPhases(runs: StoredRun[]): string[] {
  const [first, ...rest] = runs.map((run) => [...curvesOf(run).keys()]);
  return (first ?? []).filter((key) => rest.every((keys) => keys.includes(key)));
}

/** The config fields whose values differ between the runs: what the comparison is about. */
export function differingConfig(runs: StoredRun[]): (keyof StoredRun['config'])[] {
  const keys = Object.keys(runs[0]?.config ?? {}) as (keyof StoredRun['config'])[];
  return keys.filter((key) => new Set(runs.map((run) => JSON.stringify(run.config[key]))).size > 1);
}

/** One row of the compare view's methods table: a number per run (null where the run has none), and which way is better. */
export interface MethodRow {
  label: string;
  values: (SeedStat | null)[];
  kind: 'accuracy' | 'time';
}

/**
 * The methods table of compare: per method any run trained, its validation and test accuracy,
 * its training time, and each modality's laziness probe of its encoders (fused methods), one column per run.
 */
export function methodRows(runs: StoredRun[]): MethodRow[] {
  const methods = [...new Set(runs.flatMap((run) => run.candidates.map((c) => c.method)))];
  const modalities = [...new Set(runs.flatMap((run) => run.dataset.modalities.map((m) => m.name)))];
  const candidate = (run: StoredRun, method: string) => run.candidates.find((c) => c.method === method);
  return methods.flatMap((method): MethodRow[] => {
    const label = methodLabel(method);
    const probed = modalities.filter((m) =>
      runs.some((run) => run.laziness.some((l) => l.model === method && l.modality === m)),
    );
    return [
      {
        label: `${label}: validation`,
        kind: 'accuracy',
        values: runs.map((run) => candidate(run, method)?.val ?? null),
      },
      { label: `${label}: test`, kind: 'accuracy', values: runs.map((run) => candidate(run, method)?.test ?? null) },
      {
        label: `${label}: training time`,
        kind: 'time',
        values: runs.map((run) => {
          const ms = candidate(run, method)?.trainingMs;
          return ms === null || ms === undefined ? null : { mean: ms, sd: 0, perSeed: [ms] };
        }),
      },
      ...probed.map((m): MethodRow => ({
        label: `${label}: probe of ${m}`,
        kind: 'accuracy',
        values: runs.map((run) => probeStat(run.laziness, m, method)),
      })),
    ];
  });
}

/** The index of the best value of a row (highest accuracy, shortest time), or null when fewer than two runs have one. */
export function bestIndex(row: MethodRow): number | null {
  const present = row.values.flatMap((v, i) => (v ? [{ i, mean: v.mean }] : []));
  if (present.length < 2 || (row.kind === 'time' && present.every((p) => p.mean === 0))) return null;
  const target =
    row.kind === 'time' ? Math.min(...present.map((p) => p.mean)) : Math.max(...present.map((p) => p.mean));
  return present.find((p) => p.mean === target)?.i ?? null;
}

/** The compare table's numeric rows: the final model's test accuracy and the training time, best marked, deltas shown. */
export function summaryRows(runs: StoredRun[]): MethodRow[] {
  const stat = (value: number | null): SeedStat | null =>
    value === null ? null : { mean: value, sd: 0, perSeed: [value] };
  return [
    {
      label: 'Final (test)',
      kind: 'accuracy',
      values: runs.map(
        (run) => run.candidates.find((c) => c.method === run.finalChoice?.method)?.test ?? stat(run.final),
      ),
    },
    {
      label: 'Training time',
      kind: 'time',
      values: runs.map((run) => stat(run.durationMs === null ? null : Math.max(0, run.durationMs - run.waitingMs))),
    },
  ];
}

/**
 * A value's difference from the first run's on the same row, in the row's unit ("+1.2 pts", "−14 s"), or
 * null for the first run and where either is missing.
 */
export function deltaFromFirst(row: MethodRow, index: number): string | null {
  const first = row.values[0];
  const value = row.values[index];
  if (index === 0 || !first || !value) return null;
  const difference = value.mean - first.mean;
  const sign = difference > 0 ? '+' : difference < 0 ? '−' : '±';
  if (row.kind === 'accuracy') return `${sign}${Math.abs(difference * 100).toFixed(1)} pts`;
  return `${sign}${duration(Math.abs(difference))}`;
}
