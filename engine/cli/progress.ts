import { progressRate, type PrepareProgress } from '../protocol/dataset';

/**
 * Progress on stderr: one line redrawn in place on a terminal, with the rate and the time left once they
 * can be told; nothing when stderr is not a terminal (logs and pipes get only the final result).
 */
export class ProgressLine {
  private lastDraw = 0;
  private drawn = false;
  private label = '';
  private started = 0;

  constructor(
    private readonly stream: { write(text: string): unknown; isTTY?: boolean } = process.stderr,
    private readonly now: () => number = Date.now,
  ) {}

  update(label: string, done: number, total: number, unit = 'samples'): void {
    if (!this.stream.isTTY) return;
    const time = this.now();
    if (label !== this.label) {
      this.label = label;
      this.started = time;
    }
    if (time - this.lastDraw < 100 && done < total) return;
    this.lastDraw = time;
    this.stream.write(`\r${formatProgressLine(label, done, total, time - this.started, unit)}\x1b[K`);
    this.drawn = true;
  }

  /** A dataset's preparation: checking the headers, then decoding. */
  prepare(progress: PrepareProgress): void {
    this.update(progress.phase === 'checking' ? 'Checking' : 'Decoding', progress.done, progress.total);
  }

  clear(): void {
    if (this.drawn && this.stream.isTTY) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** `Decoding [######..................] 300/1500  850 samples/s  ETA 0:02` */
export function formatProgressLine(
  label: string,
  done: number,
  total: number,
  elapsedMs: number,
  unit = 'samples',
): string {
  const width = 24;
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  const rate = progressRate(done, total, elapsedMs);
  const pace = rate
    ? `  ${Math.round(rate.perSecond).toLocaleString('en')} ${unit}/s  ETA ${formatDuration(rate.secondsLeft * 1000)}`
    : '';
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${pace}`;
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`
    : `${m}:${String(s).padStart(2, '0')}`;
}
