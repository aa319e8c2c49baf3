import type { PrepareProgress } from '../protocol/dataset';
import type { RunEvent } from '../protocol/run';
import { describePhase } from './format-run';
import { formatDuration, ProgressLine } from './progress';

/**
 * Progress of the current phase on a terminal: its epochs and the current epoch's batches as two bars,
 * with an ETA for the phase from the pace so far (epochs may end early by early stopping, so it is an
 * upper bound). Redrawn at most ten times a second; nothing when stderr is not a terminal.
 */
export class PhaseProgress {
  private phaseKey = '';
  private phaseStarted = 0;
  private batchesAtStart = 0;
  private lastDraw = 0;
  private drawn = false;
  private readonly preparing: ProgressLine;

  constructor(
    private readonly stream: { write(text: string): unknown; isTTY?: boolean },
    private readonly now: () => number = Date.now,
  ) {
    this.preparing = new ProgressLine(stream, now);
  }

  /** Before training: the dataset's preparation, with its rate and time left. */
  onPrepare(progress: PrepareProgress): void {
    this.preparing.prepare(progress);
  }

  onBatch(event: Extract<RunEvent, { type: 'batch' }>): void {
    if (!this.stream.isTTY) return;
    const key = describePhase(event);
    const time = this.now();
    const done = batchesDone(event);
    if (key !== this.phaseKey) {
      // A phase resumed from a checkpoint starts part-way: the pace counts only batches run here.
      this.phaseKey = key;
      this.phaseStarted = time;
      this.batchesAtStart = done - 1;
    }
    if (time - this.lastDraw < 100 && event.batch < event.batches) return;
    this.lastDraw = time;
    this.stream.write(`\r${formatPhaseProgress(event, time - this.phaseStarted, done - this.batchesAtStart)}\x1b[K`);
    this.drawn = true;
  }

  clear(): void {
    this.preparing.clear();
    if (this.drawn && this.stream.isTTY) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

function batchesDone(event: Extract<RunEvent, { type: 'batch' }>): number {
  return (event.epoch - 1) * event.batches + event.batch;
}

/** `teacher a  epoch 3/20 [##........] batch 12/33 [####......]  ETA 0:41`: the ETA from `elapsedMs` for `batchesTimed`. */
export function formatPhaseProgress(
  event: Extract<RunEvent, { type: 'batch' }>,
  elapsedMs: number,
  batchesTimed: number,
): string {
  const bar = (done: number, total: number, width: number) => {
    const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  };
  const remainingMs = (elapsedMs / Math.max(1, batchesTimed)) * (event.epochs * event.batches - batchesDone(event));
  return `${describePhase(event)}  epoch ${event.epoch}/${event.epochs} ${bar(event.epoch - 1, event.epochs, 10)} batch ${event.batch}/${event.batches} ${bar(event.batch, event.batches, 10)}  ETA ${formatDuration(remainingMs)}`;
}
