import type {
  CandidateResult,
  Evaluation,
  LazinessEntry,
  LazinessVerdict,
  MethodId,
  RunResult,
  SeedStat,
} from '../../../engine/protocol/run';
import { seedStat } from '../../../engine/protocol/seed-stat';
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

export { seedStatText as statText } from '../../../engine/protocol/seed-stat';

/** Mean and sd over seeds of one encoder's laziness probe. */
export function probeStat(laziness: LazinessEntry[], modality: string, model: MethodId): SeedStat | null {
  const values = laziness
    .filter((l) => l.modality === modality && l.model === model)
    .sort((a, b) => a.seed - b.seed)
    .map((l) => l.accuracy);
  return values.length ? seedStat(values) : null;
}
