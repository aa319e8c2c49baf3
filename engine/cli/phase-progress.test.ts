import { describe, expect, it } from 'vitest';
import { PhaseProgress } from './phase-progress';
import { formatDuration, ProgressLine } from './progress';

describe('phase progress on a terminal', () => {
  it('shows epochs and batches as bars with an ETA from the pace so far', () => {
    const written: string[] = [];
    let time = 0;
    const progress = new PhaseProgress({ isTTY: true, write: (t: string) => written.push(t) }, () => time);
    const batch = (epoch: number, b: number) =>
      progress.onBatch({ type: 'batch', phase: 'teacher', modality: 'rgb', epoch, epochs: 4, batch: b, batches: 10 });
    batch(1, 1);
    time = 1000;
    batch(1, 10); // 9 batches in 1 s after the first: 30 batches left ≈ 3.3 s
    const line = written.at(-1)!;
    expect(line).toContain('teacher rgb  epoch 1/4 [..........] batch 10/10 [##########]');
    expect(line).toContain('ETA 0:03');
  });

  it('draws nothing when stderr is not a terminal', () => {
    const written: string[] = [];
    const progress = new PhaseProgress({ isTTY: false, write: (t: string) => written.push(t) });
    progress.onBatch({ type: 'batch', phase: 'umt', epoch: 1, epochs: 2, batch: 1, batches: 5 });
    progress.clear();
    expect(written).toEqual([]);
  });

  it('formats durations as m:ss or h:mm:ss', () => {
    expect(formatDuration(61_000)).toBe('1:01');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
  });

  it("shows a dataset's preparation with its rate and time left once they can be told", () => {
    const written: string[] = [];
    let time = 0;
    const line = new ProgressLine({ isTTY: true, write: (t: string) => written.push(t) }, () => time);
    line.prepare({ phase: 'decoding', done: 0, total: 1500 });
    time = 100;
    line.prepare({ phase: 'decoding', done: 10, total: 1500 });
    expect(written.at(-1)).not.toContain('/s');
    time = 1000;
    line.prepare({ phase: 'decoding', done: 500, total: 1500 });
    expect(written.at(-1)).toContain('Decoding [########................] 500/1500  500 samples/s  ETA 0:02');
  });
});
