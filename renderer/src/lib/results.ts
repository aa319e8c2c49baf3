import type { CandidateResult, Evaluation, LazinessEntry, LazinessVerdict, MethodId, RunResult, SeedStat } from '../../../engine/protocol/run';
import type { StoredCandidate, StoredRun } from '../../../engine/protocol/store';

/** What the results view shows, from a live run's result or a stored run alike. */
export interface ResultsData {
  classes: string[];
  modalities: string[];
  seeds: number[];
  candidates: (Omit<StoredCandidate, 'modelPath' | 'trainingMs'> & { trainingMs: number | null })[];
  final: { method: MethodId; reason: string; recommended: string; overridden: boolean } | null;
  notices: string[];
  evaluations: Evaluation[];
  laziness: LazinessEntry[];
  verdicts: LazinessVerdict[];
}

export function resultsOfRun(result: RunResult): ResultsData {
  return {
    classes: result.dataset.classes,
    modalities: result.dataset.modalities,
    seeds: result.seeds,
    candidates: Object.values(result.candidates).map((c: CandidateResult) => c),
    final: result.final,
    notices: result.notices,
    evaluations: result.evaluations,
    laziness: result.laziness,
    verdicts: result.lazinessVerdicts,
  };
}

export function resultsOfStored(run: StoredRun): ResultsData {
  return {
    classes: run.dataset.classes,
    modalities: run.dataset.modalities.map((m) => m.name),
    seeds: run.seeds,
    candidates: run.candidates,
    final: run.finalChoice,
    notices: run.notices,
    evaluations: run.evaluations,
    laziness: run.laziness,
    verdicts: run.lazinessVerdicts,
  };
}

/** The highest mean on a split, for marking the best model (ties all marked). */
export function bestMean(candidates: ResultsData['candidates'], split: 'val' | 'test'): number | null {
  const means = candidates.flatMap((c) => (c[split] ? [c[split].mean] : []));
  return means.length ? Math.max(...means) : null;
}

/** `81.2%`, or `81.2% ± 1.3` when several seeds gave it. */
export function statText(stat: SeedStat | null | undefined): string {
  if (!stat || stat.perSeed.length === 0) return '—';
  const mean = `${(stat.mean * 100).toFixed(1)}%`;
  return stat.perSeed.length > 1 ? `${mean} ± ${(stat.sd * 100).toFixed(1)}` : mean;
}

/** Mean and sd over seeds of one encoder's laziness probe. */
export function probeStat(laziness: LazinessEntry[], modality: string, model: MethodId): SeedStat | null {
  const values = laziness.filter((l) => l.modality === modality && l.model === model).sort((a, b) => a.seed - b.seed).map((l) => l.accuracy);
  if (values.length === 0) return null;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd, perSeed: values };
}
