import type { DatasetPreview, ValidationReport } from '../../../engine/protocol/dataset';
import { DEFAULT_CONFIG, type ChosenMethod, type PhaseRef, type RunConfig } from '../../../engine/protocol/run';
import { call, host } from '../host/host';
import { planOf } from '../lib/eta';
import { rememberDataset } from '../lib/recent';
import { Preparation } from './preparation.svelte';
import { TrainingRun } from './training-run.svelte';

export const STEPS = ['Data', 'Check', 'Settings', 'Teachers', 'Decision', 'Training', 'Results'] as const;
export type StepIndex = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/**
 * The wizard, from "here is my data" to "here is the right method, trained, and why". One instance for the
 * app's life, so leaving the wizard for the run browser and coming back loses nothing.
 */
export class Wizard {
  step = $state<StepIndex>(0);
  dataset = $state('');
  /** Sample ids the user chose to leave out of this dataset (a few broken rows need not block everything). */
  exclude = $state<string[]>([]);
  busy = $state<string | null>(null);
  error = $state<string | null>(null);
  report = $state<ValidationReport | null>(null);
  preview = $state<DatasetPreview | null>(null);
  config = $state<RunConfig>({ ...DEFAULT_CONFIG });
  run = $state<TrainingRun | null>(null);
  /** While the data is checked: how far, how fast, how long still. */
  preparation = $state<Preparation | null>(null);
  private stopListening: (() => void) | null = null;

  /** The furthest step the user may go to now (earlier ones stay reachable). */
  get reachable(): StepIndex {
    if (this.run?.ended && this.run.status === 'completed') return 6;
    if (this.run?.pastDecision) return 5;
    if (this.run?.decision) return 4;
    if (this.run) return 3;
    if (this.report?.ok) return 2;
    if (this.report) return 1;
    return 0;
  }

  goTo(step: StepIndex): void {
    if (step <= this.reachable) this.step = step;
  }

  /**
   * Validates the chosen dataset (and previews it when valid), then shows the report. `exclude`: samples to
   * leave out ("leave out these N samples and continue"); the run records them and why. Nothing is written
   * into the dataset folder either way.
   */
  async check(dataset: string, exclude: string[] = []): Promise<void> {
    this.dataset = dataset.trim();
    this.exclude = exclude;
    if (!this.dataset) {
      this.error = 'Choose a built-in dataset or enter the path of a dataset folder.';
      return;
    }
    this.error = null;
    this.report = null;
    this.preview = null;
    this.busy = `Checking ${this.dataset}… (the first time, every file is read and decoded)`;
    const preparation = new Preparation(this.dataset);
    this.preparation = preparation;
    const stopProgress = host.onRunMessage((message) => preparation.handle(message));
    try {
      this.report = await call('dataset:validate', { dir: this.dataset, ...(exclude.length > 0 ? { exclude } : {}) });
      stopProgress();
      this.preparation = null;
      // Only a folder that loaded is worth offering again.
      if (this.report.ok) rememberDataset(this.dataset);
      this.step = 1;
      if (this.report.ok) {
        this.busy = 'Drawing the preview…';
        this.preview = await call('dataset:preview', { dir: this.dataset, ...(exclude.length > 0 ? { exclude } : {}) });
      }
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      stopProgress();
      this.preparation = null;
      this.busy = null;
    }
  }

  /** Prefills the wizard from a past run ("re-run with the same config"): its data is checked again first. */
  async rerun(dataset: string, config: RunConfig): Promise<void> {
    this.reset();
    this.config = { ...config };
    await this.check(dataset);
    if (this.report?.ok) this.step = 2;
  }

  async start(): Promise<void> {
    this.error = null;
    this.busy = 'Starting the run…';
    try {
      const { runId } = await call('run:start', {
        dataset: this.dataset,
        config: $state.snapshot(this.config),
        confirmDecision: true,
        ...(this.exclude.length > 0 ? { exclude: [...this.exclude] } : {}),
      });
      const run = new TrainingRun(runId, true, this.config.seed);
      const config = $state.snapshot(this.config);
      const modalities = this.report?.modalities.length ?? 2;
      run.planOf = (decision) => planOf(config, modalities, decision);
      this.follow(run);
      this.step = 3;
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.busy = null;
    }
  }

  /** Follows a run: its messages update the view, and the wizard moves on at the decision and at the end. */
  follow(run: TrainingRun): void {
    this.stopListening?.();
    this.run = run;
    this.stopListening = host.onRunMessage((message) => {
      run.handle(message);
      if (this.step === 3 && run.status === 'awaiting-choice') this.step = 4;
      if (
        message.kind === 'run-ended' &&
        message.runId === run.runId &&
        message.status === 'completed' &&
        this.step >= 4
      )
        this.step = 6;
    });
  }

  /**
   * Takes up a run that is training already (after a reload, or from another window): its finished epochs
   * and decision come from the store, the rest live.
   */
  async attach(runId: string, awaitingChoice: boolean): Promise<void> {
    const stored = await call('runs:show', { id: runId });
    const run = new TrainingRun(runId, true, stored.seed);
    for (const phase of stored.phases) {
      const ref = {
        phase: phase.name as PhaseRef['phase'],
        modality: phase.modality,
        model: phase.model,
        seed: phase.seed,
      };
      run.phases.push(ref);
      if (phase.epochs.length > 0) run.curves[run.key(ref)] = phase.epochs;
    }
    run.decision = stored.decision;
    if (stored.backend) run.backend = stored.backend;
    if (awaitingChoice) run.status = 'awaiting-choice';
    this.dataset = stored.dataset.path;
    this.config = { ...stored.config };
    this.report = await call('dataset:validate', { dir: stored.dataset.path });
    const modalities = this.report.modalities.length;
    run.planOf = (decision) => planOf(stored.config, modalities, decision);
    this.follow(run);
    // A run just resumed may have reached its decision while the calls above ran (its teachers come from
    // checkpoints): its events are gone, so ask where it stands.
    const active = await call('run:active', {});
    if (active.runId === runId && active.awaitingChoice && run.status !== 'awaiting-choice') {
      run.decision = (await call('runs:show', { id: runId })).decision;
      run.status = 'awaiting-choice';
    }
    this.step = run.status === 'awaiting-choice' ? 4 : run.pastDecision ? 5 : 3;
  }

  async choose(method: ChosenMethod): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.error = null;
    try {
      const { accepted } = await call('run:choose', { runId: run.runId, method });
      if (!accepted) throw new Error('The run is no longer waiting for a choice (it was cancelled or has ended).');
      run.chosen();
      this.step = 5;
    } catch (error) {
      this.error = (error as Error).message;
    }
  }

  async cancel(): Promise<void> {
    if (!this.run) return;
    try {
      await call('run:cancel', { runId: this.run.runId });
    } catch (error) {
      this.error = (error as Error).message;
    }
  }

  /** Back to an empty wizard; a run still training goes on (the run browser shows it). */
  reset(): void {
    this.stopListening?.();
    this.stopListening = null;
    this.step = 0;
    this.report = null;
    this.preview = null;
    this.run = null;
    this.error = null;
    this.config = { ...DEFAULT_CONFIG };
  }
}

export const wizard = new Wizard();
