import { afterAll, describe, expect, it } from 'vitest';
import { builtinWithSplit } from '../bench/builtin-with-split';
import { imagePairs } from '../bench/memory-bench';
import { compareSamples, formatStat } from '../bench/seed-noise';
import { prepareDataset } from '../engine/data/prepare';
import { tempFolders } from './helpers/dataset-folder';

const folders = tempFolders();
afterAll(() => folders.removeAll());

describe('the benchmark harness', () => {
  it('generates image pairs the app reads as two 32x32 image modalities over ten balanced classes', async () => {
    const work = folders.make('bench-work');
    const dir = imagePairs(work, 60);
    const { report } = await prepareDataset(dir, { cacheDir: folders.make('bench-cache'), writeCache: false });
    expect(report.ok).toBe(true);
    expect(report.samples).toBe(60);
    expect(report.modalities.map((m) => [m.name, m.kind, m.shape])).toEqual([
      ['a', 'image', [32, 32, 1]],
      ['b', 'image', [32, 32, 1]],
    ]);
    expect(report.classes).toHaveLength(10);
    expect(new Set(Object.values(report.classCounts ?? {}).map((c) => c.train + c.val + c.test))).toEqual(new Set([6]));
    expect(imagePairs(work, 60)).toBe(dir);
  });

  it('writes a built-in dataset with its split in the manifest, which the app then uses as given (70/10/20 by row)', async () => {
    const work = folders.make('bench-split');
    const dir = await builtinWithSplit('synthetic-paired', work);
    const { report } = await prepareDataset(dir, { cacheDir: folders.make('bench-split-cache'), writeCache: false });
    expect(report.ok).toBe(true);
    expect(report.splits).toEqual({ train: 2100, val: 300, test: 600 });
    expect(report.modalities.map((m) => [m.name, m.shape])).toEqual([
      ['a', [16]],
      ['b', [16]],
    ]);
    expect(await builtinWithSplit('synthetic-paired', work)).toBe(dir);
  });

  it("judges two implementations' seeds with Welch's t-test at 95%", () => {
    // Variances 1 and 1 over 3 seeds: standard error √(2/3), 4 degrees of freedom, t = 2.776.
    const apart = compareSamples([1, 2, 3], [4, 5, 6]);
    expect(apart.difference).toBe(-3);
    expect(apart.margin).toBeCloseTo(2.776 * Math.sqrt(2 / 3), 3);
    expect(apart.withinNoise).toBe(false);
    expect(apart.words).toContain('outside seed noise');
    const close = compareSamples([1, 2, 3], [1.5, 2.5, 3.5]);
    expect(close.withinNoise).toBe(true);
    // One seed a side cannot be judged; seeds without spread make any difference real.
    expect(compareSamples([1], [2]).words).toContain('too few seeds');
    expect(compareSamples([1, 1], [1.1, 1.1]).withinNoise).toBe(false);
    expect(formatStat([90, 92, 94], 1)).toBe('92.0 ± 2.0');
  });
});
