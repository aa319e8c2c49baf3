import { describe, expect, it } from 'vitest';
import type { ProbeResult } from './laziness';
import { lazinessVerdicts } from './laziness-verdicts';
import { teacherNotices } from './notices';
import type { TrainedTeacher } from './teachers';

const probe = (modality: string, model: string, right: number, n = 200, seed = 0): ProbeResult => {
  const correct = Uint8Array.from({ length: n }, (_, i) => (i < right ? 1 : 0));
  return { seed, modality, model, accuracy: right / n, correct };
};

describe('laziness verdicts (paper 3.1)', () => {
  it('calls an encoder lazy only when its probe is below its teacher by more than the noise', () => {
    const verdicts = lazinessVerdicts(
      [
        probe('audio', 'teacher:audio', 160),
        probe('video', 'teacher:video', 120),
        probe('audio', 'late-fusion', 100), // 30 points below its teacher on 200 samples: lazy
        probe('video', 'late-fusion', 118), // 1 point below: within noise
        probe('audio', 'umt', 190), // 15 points above: not lazy
        probe('video', 'umt', 121),
      ],
      { 'late-fusion': 'Late fusion', umt: 'UMT' },
      1000,
      1,
    );
    const of = (modality: string, model: string) => verdicts.find((v) => v.modality === modality && v.model === model)!;
    expect(of('audio', 'late-fusion')).toMatchObject({ verdict: 'lazy', teacher: 0.8, fused: 0.5 });
    expect(of('audio', 'late-fusion').interval[1]).toBeLessThan(0);
    expect(of('audio', 'late-fusion').text).toMatch(
      /^audio is lazy in Late fusion: its encoder probes at 50\.0%, 30\.0 pts below its teacher's 80\.0% \(interval -\d+\.\d to -\d+\.\d pts\)/,
    );
    expect(of('video', 'late-fusion')).toMatchObject({ verdict: 'within-noise' });
    expect(of('video', 'late-fusion').text).toContain('no sign of laziness');
    expect(of('audio', 'umt')).toMatchObject({ verdict: 'not-lazy' });
    expect(verdicts).toHaveLength(4);
  });
});

describe('the under-trained teachers notice', () => {
  const teacher = (modality: string, seed: number, bestEpoch: number, stoppedEarly = false) =>
    ({ modality, seed, fit: { history: [], bestEpoch, stoppedEarly } }) as unknown as TrainedTeacher;

  it('names each teacher whose best validation epoch was its last, and its seeds', () => {
    expect(
      teacherNotices([teacher('a', 0, 20), teacher('b', 0, 12), teacher('a', 1, 20)], { teacherEpochs: 20 }),
    ).toEqual([
      'The teacher of a (seeds 0, 1) was still improving at the last of 20 epochs: the advice rests on teachers that may be under-trained. More teacher epochs (--teacher-epochs) may change it.',
    ]);
    expect(teacherNotices([teacher('a', 0, 12), teacher('b', 0, 20, true)], { teacherEpochs: 20 })).toEqual([]);
  });
});
