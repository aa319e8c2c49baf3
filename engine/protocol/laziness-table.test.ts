import { describe, expect, it } from 'vitest';
import { lazinessTable } from './laziness-table';

describe("run --json's laziness table", () => {
  it('averages each probe over seeds, keyed by method id, with the old keys beside them', () => {
    const table = lazinessTable([
      { seed: 1, modality: 'a', model: 'teacher:a', accuracy: 0.8 },
      { seed: 2, modality: 'a', model: 'teacher:a', accuracy: 0.6 },
      { seed: 1, modality: 'a', model: 'late-fusion', accuracy: 0.5 },
      { seed: 2, modality: 'a', model: 'late-fusion', accuracy: 0.7 },
      { seed: 1, modality: 'a', model: 'ogm-ge', accuracy: 0.9 },
      { seed: 2, modality: 'a', model: 'ogm-ge', accuracy: 0.5 },
      { seed: 1, modality: 'b', model: 'teacher:b', accuracy: 0.4 },
      { seed: 1, modality: 'b', model: 'umt', accuracy: 0.3 },
    ]);
    expect(table.a).toEqual({ teacher: 0.7, lateFusion: 0.6, 'teacher:a': 0.7, 'late-fusion': 0.6, 'ogm-ge': 0.7 });
    expect(table.b).toEqual({ teacher: 0.4, umt: 0.3, 'teacher:b': 0.4 });
  });
});
