import type { EpochMetrics } from '../../../engine/protocol/run';
import type { StoredRun } from '../../../engine/protocol/store';
import { phaseKey } from './phases';

/** Mean test accuracy over the run's seeds of one of its models, by method id (`late-fusion`, `umt`, `teacher:NAME`, …). */
export function testAccuracy(run: StoredRun, model: string): number | null {
  return run.candidates.find((c) => c.method === model)?.test?.mean ?? null;
}

/** The epoch curves of a stored run, by phase key (seeds after the first keyed apart). */
export function curvesOf(run: StoredRun): Map<string, EpochMetrics[]> {
  return new Map(run.phases.filter((p) => p.epochs.length > 0).map((p) => [phaseKey({ phase: p.name, modality: p.modality, model: p.model, seed: p.seed }, run.seed), p.epochs]));
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
