import { progressRate, type PrepareProgress } from '../../../engine/protocol/dataset';
import type { RunMessage } from '../../../engine/protocol/engine';
import { duration } from '../lib/format';

/**
 * The progress of preparing one dataset folder, from the engine's `dataset-progress` messages: the phase,
 * how far it is, its rate and the time it has left (preparation is the first thing a user waits for).
 */
export class Preparation {
  progress = $state<PrepareProgress | null>(null);
  private phaseStartedAt = 0;

  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  handle(message: RunMessage): void {
    if (message.kind !== 'dataset-progress' || message.dir !== this.dir) return;
    if (message.progress.phase !== this.progress?.phase) this.phaseStartedAt = this.now();
    this.progress = message.progress;
  }

  /** `Decoding 300 of 1,500 samples · 850 samples/s · about 2 s left`, or null before the first message. */
  get text(): string | null {
    const progress = this.progress;
    if (!progress) return null;
    const what = progress.phase === 'checking' ? 'Checking the files of' : 'Decoding';
    const head = `${what} ${progress.done.toLocaleString('en')} of ${progress.total.toLocaleString('en')} samples`;
    const rate = progressRate(progress.done, progress.total, this.now() - this.phaseStartedAt);
    return rate
      ? `${head} · ${Math.round(rate.perSecond).toLocaleString('en')} samples/s · about ${duration(rate.secondsLeft * 1000)} left`
      : head;
  }

  get fraction(): number {
    return this.progress && this.progress.total > 0 ? this.progress.done / this.progress.total : 0;
  }
}
