import { describe, expect, it } from 'vitest';
import { assignSplits } from './split';

const labels = [...Array(50).fill('a'), ...Array(30).fill('b')] as string[];

function countBy(labelsList: string[], splits: string[]) {
  const counts: Record<string, number> = {};
  splits.forEach((s, i) => {
    const key = `${labelsList[i]}/${s}`;
    counts[key] = (counts[key] ?? 0) + 1;
  });
  return counts;
}

describe('split rules', () => {
  it('splits 70/10/20 within each class when the manifest gives no split', () => {
    const result = assignSplits(
      labels,
      labels.map(() => null),
      0,
    );
    expect(result.ok && result.rule).toBe('stratified-70-10-20');
    if (!result.ok) return;
    expect(countBy(labels, result.splits)).toEqual({
      'a/train': 35,
      'a/val': 5,
      'a/test': 10,
      'b/train': 21,
      'b/val': 3,
      'b/test': 6,
    });
  });

  it('is reproducible for a seed and differs between seeds', () => {
    const none = labels.map(() => null);
    const first = assignSplits(labels, none, 3);
    const again = assignSplits(labels, none, 3);
    const other = assignSplits(labels, none, 4);
    expect(first).toEqual(again);
    expect(first).not.toEqual(other);
  });

  it('takes a stratified 1/8 of train as val when only val is missing', () => {
    const given = labels.map((_, i) => (i % 5 === 0 ? 'test' : 'train') as 'test' | 'train');
    const result = assignSplits(labels, given, 0);
    expect(result.ok && result.rule).toBe('val-from-train-1/8');
    if (!result.ok) return;
    // 40 train "a" → 5 val; 24 train "b" → 3 val; test untouched.
    expect(countBy(labels, result.splits)).toEqual({
      'a/train': 35,
      'a/val': 5,
      'a/test': 10,
      'b/train': 21,
      'b/val': 3,
      'b/test': 6,
    });
    result.splits.forEach((s, i) => expect(s === 'test').toBe(given[i] === 'test'));
  });

  it('keeps the manifest split when it has train, val and test', () => {
    const given = labels.map((_, i) => (['train', 'val', 'test'] as const)[i % 3] ?? 'train');
    const result = assignSplits(labels, given, 0);
    expect(result).toEqual({ ok: true, splits: given, rule: 'manifest' });
  });

  it('refuses a split given for some samples only, or a missing train or test split', () => {
    expect(assignSplits(['a', 'b'], ['train', null], 0)).toMatchObject({ ok: false, code: 'bad-split' });
    expect(assignSplits(['a', 'b'], ['test', 'val'], 0)).toMatchObject({
      ok: false,
      code: 'empty-split',
      message: expect.stringContaining('train'),
    });
    expect(assignSplits(['a', 'b'], ['train', 'val'], 0)).toMatchObject({
      ok: false,
      code: 'empty-split',
      message: expect.stringContaining('test'),
    });
  });
});
