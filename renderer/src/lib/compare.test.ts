import { describe, expect, it } from 'vitest';
import type { StoredRun } from '../../../engine/protocol/store';
import { bestIndex, deltaFromFirst, methodRows, type MethodRow } from './compare';

const stat = (...perSeed: number[]) => ({ mean: perSeed.reduce((s, v) => s + v, 0) / perSeed.length, sd: 0, perSeed });

/** Just what the methods table reads of a stored run. */
function run(
  candidates: { method: string; val: number; test: number; ms: number | null }[],
  probes: { modality: string; model: string; accuracy: number }[],
): StoredRun {
  return {
    dataset: { modalities: [{ name: 'a' }, { name: 'b' }] },
    candidates: candidates.map((c) => ({
      method: c.method,
      label: c.method,
      val: stat(c.val),
      test: stat(c.test),
      trainingMs: c.ms,
      modelPath: null,
    })),
    laziness: probes.map((p) => ({ seed: 0, ...p })),
  } as unknown as StoredRun;
}

describe('the methods table of compare', () => {
  const one = run(
    [
      { method: 'late-fusion', val: 0.8, test: 0.7, ms: 1000 },
      { method: 'ume', val: 0.6, test: 0.65, ms: 0 },
    ],
    [{ modality: 'a', model: 'late-fusion', accuracy: 0.5 }],
  );
  const two = run(
    [
      { method: 'late-fusion', val: 0.9, test: 0.6, ms: 3000 },
      { method: 'ogm-ge', val: 0.85, test: 0.8, ms: 1500 },
    ],
    [
      { modality: 'a', model: 'late-fusion', accuracy: 0.55 },
      { modality: 'b', model: 'ogm-ge', accuracy: 0.4 },
    ],
  );

  it('lists each method of any run: validation, test, training time and a probe per modality it has', () => {
    const rows = methodRows([one, two]);
    expect(rows.map((r) => r.label)).toEqual([
      'Late fusion: validation',
      'Late fusion: test',
      'Late fusion: training time',
      'Late fusion: probe of a',
      'UME: validation',
      'UME: test',
      'UME: training time',
      'OGM-GE: validation',
      'OGM-GE: test',
      'OGM-GE: training time',
      'OGM-GE: probe of b',
    ]);
    expect(rows[1]!.values.map((v) => v?.mean)).toEqual([0.7, 0.6]);
    // A method one run did not train has no value there.
    expect(rows[7]!.values[0]).toBeNull();
  });

  it('marks the highest accuracy and the shortest time, and nothing when only one run has a value', () => {
    const rows = methodRows([one, two]);
    expect(bestIndex(rows[0]!)).toBe(1); // validation 0.9 beats 0.8
    expect(bestIndex(rows[1]!)).toBe(0); // test 0.7 beats 0.6
    expect(bestIndex(rows[2]!)).toBe(0); // 1 s beats 3 s
    expect(bestIndex(rows[7]!)).toBeNull();
  });
});

describe("compare's differences from the first run", () => {
  const stat = (mean: number) => ({ mean, sd: 0, perSeed: [mean] });
  it('gives accuracy differences in points and time differences in seconds, none for the first run or a missing value', () => {
    const accuracy: MethodRow = {
      label: 'Final (test)',
      kind: 'accuracy',
      values: [stat(0.9), stat(0.912), stat(0.88), null],
    };
    expect([0, 1, 2, 3].map((i) => deltaFromFirst(accuracy, i))).toEqual([null, '+1.2 pts', '−2.0 pts', null]);
    const time: MethodRow = {
      label: 'Training time',
      kind: 'time',
      values: [stat(30_000), stat(16_000), stat(125_000)],
    };
    expect([1, 2].map((i) => deltaFromFirst(time, i))).toEqual(['−14 s', '+1 min 35 s']);
  });
});
