import type { EpochMetrics } from '../../../engine/protocol/run';
import type { StoredRun } from '../../../engine/protocol/store';
import { phaseKey } from './phases';

/** Test accuracy of one evaluated model of a run (`final`, `late-fusion`, `ume`, `umt`, `teacher:NAME`). */
export function testAccuracy(run: StoredRun, model: string): number | null {
  return run.evaluations.find((e) => e.model === model && e.split === 'test')?.accuracy ?? null;
}

/** The epoch curves of a stored run, by phase key. */
export function curvesOf(run: StoredRun): Map<string, EpochMetrics[]> {
  return new Map(run.phases.filter((p) => p.epochs.length > 0).map((p) => [phaseKey({ phase: p.name as never, modality: p.modality, model: p.model }), p.epochs]));
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
