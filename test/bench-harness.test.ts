import { afterAll, describe, expect, it } from 'vitest';
import { imagePairs } from '../bench/memory-bench';
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
    expect(report.modalities.map((m) => [m.name, m.kind, m.shape])).toEqual([['a', 'image', [32, 32, 1]], ['b', 'image', [32, 32, 1]]]);
    expect(report.classes).toHaveLength(10);
    expect(new Set(Object.values(report.classCounts ?? {}).map((c) => c.train + c.val + c.test))).toEqual(new Set([6]));
    expect(imagePairs(work, 60)).toBe(dir);
  });
});
