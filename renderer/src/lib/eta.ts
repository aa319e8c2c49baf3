import type { RunEstimate } from '../../../engine/protocol/estimate';
import { AUTO_DISTILL_WEIGHTS, type Decision, type RunConfig } from '../../../engine/protocol/run';

/**
 * Seconds left in a phase, from its progress so far: `done` of `total` batches (over all its epochs) in
 * `elapsedMs`. Null until there is enough to go on (a few batches), so the UI does not flash wild guesses.
 * Early stopping can end a phase sooner: this is an upper estimate.
 */
export function secondsLeft(done: number, total: number, elapsedMs: number): number | null {
  if (done < 3 || total <= 0 || elapsedMs <= 0) return null;
  return Math.max(0, ((total - done) * elapsedMs) / done / 1000);
}

/** Batches done in a phase of `epochs` epochs of `batches` batches, at batch `batch` (1-based) of epoch `epoch` (1-based). */
export function batchesDone(epoch: number, batch: number, batches: number): number {
  return (epoch - 1) * batches + batch;
}

/** The plan of a run with these settings and modalities, given its decision once it is known (UMT assumed before: the longer). */
export function planOf(
  config: Pick<RunConfig, 'seeds' | 'teacherEpochs' | 'epochs' | 'distillWeight' | 'methods'>,
  modalities: number,
  decision: Decision | null,
): RunPlan {
  const umt =
    decision?.method === 'ume' && !config.methods.includes('umt')
      ? 0
      : config.distillWeight === 'auto'
        ? AUTO_DISTILL_WEIGHTS.length
        : 1;
  const others = config.methods.filter((m) => m !== 'late-fusion' && m !== 'umt' && m !== 'ume').length;
  return {
    modalities,
    seeds: config.seeds,
    teacherEpochs: config.teacherEpochs,
    epochs: config.epochs,
    fusedPerSeed: 1 + umt + others,
  };
}

/** What the whole run will train, as far as its settings tell (the run's remaining time, not only the phase's). */
export interface RunPlan {
  modalities: number;
  seeds: number;
  teacherEpochs: number;
  epochs: number;
  /** Fused networks each seed trains: late fusion, UMT (four with `--distill-weight auto`) unless UME was chosen, the methods asked for. */
  fusedPerSeed: number;
}

/** Milliseconds and batches spent so far in phases of one kind. */
export interface Work {
  batches: number;
  ms: number;
}

/** The kind of a phase for the estimate: an encoder-training phase of a teacher or of a fused network, or a cheap one (linear classifiers, evaluation). */
export function workKind(phase: string): 'teacher' | 'fused' | 'other' {
  if (phase === 'teacher') return 'teacher';
  return phase === 'decision' || phase === 'probe' || phase === 'evaluation' ? 'other' : 'fused';
}

/**
 * The whole run's seconds left, an upper estimate (every phase to its last epoch; early stopping ends most
 * sooner): the current phase's own estimate, plus the teachers and fused networks not started yet at the
 * pace measured so far. A fused network trains one encoder per modality, so before one has trained its pace
 * is taken as the teachers' times the number of modalities. Linear classifiers and evaluation are left out
 * (seconds beside minutes). Null until a pace is known.
 */
export function runSecondsLeft(
  plan: RunPlan,
  state: { batchesPerEpoch: number; teachersStarted: number; fusedStarted: number; currentSecondsLeft: number | null },
  work: { teacher: Work; fused: Work },
): number | null {
  const pace = (w: Work) => (w.batches >= 3 ? w.ms / w.batches : null);
  const teacherPace = pace(work.teacher);
  const fusedPace = pace(work.fused) ?? (teacherPace === null ? null : teacherPace * plan.modalities);
  if (state.currentSecondsLeft === null || state.batchesPerEpoch <= 0) return null;
  const teachersLeft = Math.max(0, plan.modalities * plan.seeds - state.teachersStarted);
  const fusedLeft = Math.max(0, plan.fusedPerSeed * plan.seeds - state.fusedStarted);
  if ((teachersLeft > 0 && teacherPace === null) || (fusedLeft > 0 && fusedPace === null)) return null;
  const ms =
    teachersLeft * plan.teacherEpochs * state.batchesPerEpoch * (teacherPace ?? 0) +
    fusedLeft * plan.epochs * state.batchesPerEpoch * (fusedPace ?? 0);
  return state.currentSecondsLeft + ms / 1000;
}

/**
 * A run's time before it starts, an upper estimate (every phase to its last epoch), from the step times the
 * engine measured (`run:estimate`) and the settings as they are now: each seed trains every teacher for its
 * epochs and each fused network of the plan for its epochs. Linear classifiers and evaluation left out.
 */
export function estimatedSeconds(
  estimate: Pick<RunEstimate, 'batchesPerEpoch' | 'teacherStepMs' | 'fusedStepMs'>,
  config: Pick<RunConfig, 'seeds' | 'teacherEpochs' | 'epochs' | 'distillWeight' | 'methods'>,
): { total: number; teachers: number; fused: number } {
  const steps = estimate.batchesPerEpoch;
  const plan = planOf(config, Object.keys(estimate.teacherStepMs).length, null);
  const teachers =
    (config.seeds * config.teacherEpochs * steps * Object.values(estimate.teacherStepMs).reduce((a, b) => a + b, 0)) /
    1000;
  const fused = (config.seeds * plan.fusedPerSeed * config.epochs * steps * estimate.fusedStepMs) / 1000;
  return { total: teachers + fused, teachers, fused };
}
