import type { RunMessage } from '../../../engine/protocol/engine';
import type {
  BackendInfo,
  Decision,
  EpochMetrics,
  Evaluation,
  FinalChoice,
  PhaseRef,
  RunResult,
} from '../../../engine/protocol/run';
import { batchesDone, runSecondsLeft, secondsLeft, workKind, type RunPlan, type Work } from '../lib/eta';
import { phaseKey } from '../lib/phases';

export type RunStatus = 'running' | 'awaiting-choice' | 'completed' | 'cancelled' | 'failed';

export interface PhaseProgress {
  ref: PhaseRef;
  key: string;
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  startedAtMs: number;
  /** Fraction of the phase's batches done, 0..1. */
  fraction: number;
  secondsLeft: number | null;
  /** The whole run's, an upper estimate (lib/eta.ts); null until a pace is known or without a plan. */
  runSecondsLeft: number | null;
}

/** One training run as the UI follows it live, built from the engine's run messages. */
export class TrainingRun {
  status = $state<RunStatus>('running');
  backend = $state<BackendInfo | null>(null);
  /** Epoch metrics by phase key, in arrival order. */
  curves = $state<Record<string, EpochMetrics[]>>({});
  phases = $state<PhaseRef[]>([]);
  finished = $state<Record<string, { durationMs: number; stoppedEarly?: boolean; bestEpoch?: number }>>({});
  progress = $state<PhaseProgress | null>(null);
  decision = $state<Decision | null>(null);
  evaluations = $state<Evaluation[]>([]);
  final = $state<FinalChoice | null>(null);
  result = $state<RunResult | null>(null);
  modelDir = $state<string | null>(null);
  error = $state<{ code: string; message: string } | null>(null);
  warnings = $state<string[]>([]);
  readonly startedAtMs = Date.now();
  /** What the run will train, from its settings and (once known) its decision; set by whoever follows it. */
  planOf: ((decision: Decision | null) => RunPlan) | null = null;
  /** Batches and time of each encoder-training phase seen here (from its first batch event), for the run's pace. */
  private readonly work: Record<string, Work & { kind: 'teacher' | 'fused' | 'other'; first: number }> = {};

  /** `firstSeed`: the run's first seed; phases of later seeds are keyed apart (see phaseKey). */
  constructor(
    readonly runId: string,
    readonly waitsForChoice: boolean,
    readonly firstSeed = 0,
  ) {}

  key(ref: PhaseRef): string {
    return phaseKey(ref, this.firstSeed);
  }

  get ended(): boolean {
    return this.status === 'completed' || this.status === 'cancelled' || this.status === 'failed';
  }

  /** True once any fused model (late fusion, UMT) has started: the decision is behind us. */
  get pastDecision(): boolean {
    return this.phases.some(
      (p) => p.phase === 'late-fusion' || p.phase === 'umt' || p.phase === 'probe' || p.phase === 'evaluation',
    );
  }

  /** Marks the choice as sent; the run leaves its wait. */
  chosen(): void {
    if (this.status === 'awaiting-choice') this.status = 'running';
  }

  /** The whole run's seconds left (lib/eta.ts) with the current phase's own estimate. */
  private runLeft(batchesPerEpoch: number, currentSecondsLeft: number | null): number | null {
    if (!this.planOf) return null;
    const sum = (kind: 'teacher' | 'fused'): Work =>
      Object.values(this.work)
        .filter((w) => w.kind === kind)
        .reduce((a, w) => ({ batches: a.batches + w.batches, ms: a.ms + w.ms }), { batches: 0, ms: 0 });
    const started = (kind: 'teacher' | 'fused') => this.phases.filter((p) => workKind(p.phase) === kind).length;
    return runSecondsLeft(
      this.planOf(this.decision),
      { batchesPerEpoch, teachersStarted: started('teacher'), fusedStarted: started('fused'), currentSecondsLeft },
      { teacher: sum('teacher'), fused: sum('fused') },
    );
  }

  handle(message: RunMessage): void {
    if (message.kind === 'dataset-progress' || message.runId !== this.runId) return;
    if (message.kind === 'run-ended') {
      this.progress = null;
      if (message.status === 'completed') {
        this.result = message.result;
        this.modelDir = message.modelDir;
      } else {
        this.error = message.error;
      }
      this.status = message.status;
      return;
    }
    const event = message.event;
    switch (event.type) {
      case 'started':
        this.backend = event.backend;
        break;
      case 'phase-started':
        this.phases = [
          ...this.phases,
          { phase: event.phase, modality: event.modality, model: event.model, seed: event.seed },
        ];
        this.progress = {
          ref: event,
          key: this.key(event),
          epoch: 0,
          epochs: 0,
          batch: 0,
          batches: 0,
          startedAtMs: Date.now(),
          fraction: 0,
          secondsLeft: null,
          runSecondsLeft: this.progress?.runSecondsLeft ?? null,
        };
        break;
      case 'batch': {
        const started = this.progress?.key === this.key(event) ? this.progress.startedAtMs : Date.now();
        const total = event.epochs * event.batches;
        const done = batchesDone(event.epoch, event.batch, event.batches);
        const key = this.key(event);
        const work = this.work[key] ?? { kind: workKind(event.phase), first: done, batches: 0, ms: 0 };
        this.work[key] = { ...work, batches: done - work.first + 1, ms: Date.now() - started };
        const phaseLeft = secondsLeft(done, total, Date.now() - started);
        this.progress = {
          ref: event,
          key,
          epoch: event.epoch,
          epochs: event.epochs,
          batch: event.batch,
          batches: event.batches,
          startedAtMs: started,
          fraction: total > 0 ? done / total : 0,
          secondsLeft: phaseLeft,
          runSecondsLeft: this.runLeft(event.batches, phaseLeft),
        };
        break;
      }
      case 'epoch': {
        const key = this.key(event);
        const { epoch, trainLoss, trainAccuracy, valLoss, valAccuracy, learningRate, durationMs } = event;
        this.curves = {
          ...this.curves,
          [key]: [
            ...(this.curves[key] ?? []),
            { epoch, trainLoss, trainAccuracy, valLoss, valAccuracy, learningRate, durationMs },
          ],
        };
        break;
      }
      case 'phase-finished':
        this.finished = {
          ...this.finished,
          [this.key(event)]: {
            durationMs: event.durationMs,
            stoppedEarly: event.stoppedEarly,
            bestEpoch: event.bestEpoch,
          },
        };
        if (event.phase === 'decision' && this.waitsForChoice) this.status = 'awaiting-choice';
        break;
      case 'decision':
        this.decision = event.decision;
        break;
      case 'evaluation':
        this.evaluations = [...this.evaluations, event.evaluation];
        break;
      case 'final':
        this.final = event.final;
        break;
      case 'log':
        if (event.level === 'warn') this.warnings = [...this.warnings, event.message];
        break;
      default:
        console.warn('Unknown run event', event);
    }
  }
}
