import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempFolders, vectorManifest, writeFiles } from '../../test/helpers/dataset-folder';
import { CacheReader } from './cache/reader';
import { CacheWriter } from './cache/writer';
import { CACHE_FORMAT_VERSION } from './cache/meta';
import type { ModalityPlan } from './plan';
import { prepareDataset, type PrepareProgress } from './prepare';

const folders = tempFolders();
afterAll(() => folders.removeAll());
const temp = (prefix: string) => folders.make(prefix);

describe('preprocessing cache', () => {
  it('decodes once: a second read of the same data comes from the cache', async () => {
    const cacheDir = temp('cache');
    const dir = temp('ds');
    writeFiles(dir, { 'manifest.csv': vectorManifest(12) });
    const phases: PrepareProgress['phase'][] = [];
    const first = await prepareDataset(dir, { cacheDir, onProgress: (p) => phases.push(p.phase) });
    expect(first.dataset?.fromCache).toBe(false);
    expect(phases).toContain('decoding');
    const firstValues = first.dataset!.reader.read(0, [0, 1, 2]);
    first.dataset!.reader.close();

    phases.length = 0;
    const second = await prepareDataset(dir, { cacheDir, onProgress: (p) => phases.push(p.phase) });
    expect(second.dataset?.fromCache).toBe(true);
    expect(phases).not.toContain('decoding');
    expect(second.report).toEqual(first.report);
    expect(second.dataset!.reader.read(0, [0, 1, 2])).toEqual(firstValues);
    second.dataset!.reader.close();
    expect(fs.readdirSync(path.join(cacheDir, 'datasets'))).toHaveLength(1);
  });

  it('decodes again when a file changes', async () => {
    const cacheDir = temp('cache');
    const dir = temp('ds');
    writeFiles(dir, { 'manifest.csv': vectorManifest(12) });
    (await prepareDataset(dir, { cacheDir })).dataset?.reader.close();
    writeFiles(dir, { 'manifest.csv': vectorManifest(12).replace('s0,cat,train,0,', 's0,cat,train,100,') });
    const again = await prepareDataset(dir, { cacheDir });
    expect(again.dataset?.fromCache).toBe(false);
    expect(again.dataset!.meta.modalities[0]?.normalization?.mean[0]).toBeGreaterThan(10);
    again.dataset?.reader.close();
  });

  it('writes no cache for an unusable dataset, nor with writeCache false', async () => {
    const cacheDir = temp('cache');
    const dir = temp('ds');
    writeFiles(dir, { 'manifest.csv': vectorManifest(12).replace(',0.5,', ',x,') });
    expect((await prepareDataset(dir, { cacheDir })).report.ok).toBe(false);
    writeFiles(dir, { 'manifest.csv': vectorManifest(12) });
    const dry = await prepareDataset(dir, { cacheDir, writeCache: false });
    expect(dry.report.ok).toBe(true);
    expect(dry.dataset).toBeNull();
    const left = fs.existsSync(path.join(cacheDir, 'datasets')) ? fs.readdirSync(path.join(cacheDir, 'datasets')) : [];
    expect(left).toEqual([]);
  });

  it('standardises vectors with statistics fitted on the training split only', async () => {
    const cacheDir = temp('cache');
    const dir = temp('ds');
    writeFiles(dir, { 'manifest.csv': vectorManifest(12) });
    const { dataset } = await prepareDataset(dir, { cacheDir });
    const meta = dataset!.meta;
    const train = meta.splits.flatMap((s, i) => (s === 'train' ? [i] : []));
    // left.a is the row number; train rows are 0..5, so the mean is 2.5 whatever val and test hold.
    expect(meta.modalities[0]?.normalization?.mean[0]).toBeCloseTo(2.5, 6);
    const values = dataset!.reader.read(0, train);
    const firstFeature = train.map((_, i) => values[i * 2] ?? 0);
    expect(firstFeature.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 5);
    dataset!.reader.close();
  });

  it('streams batches from disk: memory stays flat while reading a cache far larger than a batch', () => {
    const dir = path.join(temp('stream'), 'cache');
    const samples = 40_000;
    const features = 1024; // 160 MiB of float32 in the cache file
    const plan: ModalityPlan = {
      name: 'v',
      source: 'columns',
      extensions: [],
      kind: 'image',
      shape: [32, 32, 1],
      rule: { type: 'npy' },
    };
    const writer = new CacheWriter(dir, [plan]);
    const row = new Float32Array(features);
    for (let i = 0; i < samples; i += 1) {
      row[0] = i;
      writer.append([row], 'train');
    }
    const meta = writer.finish({
      version: CACHE_FORMAT_VERSION,
      key: 'k',
      fingerprint: 'f',
      name: 'n',
      root: '/',
      format: 'csv',
      splitRule: 'manifest',
      splitSeed: 0,
      classes: ['a', 'b'],
      sampleIds: Array.from({ length: samples }, (_, i) => String(i)),
      labels: new Array(samples).fill(0),
      splits: new Array(samples).fill('train'),
      warnings: [],
      warningCount: 0,
      createdAt: '',
    });
    const reader = new CacheReader(dir, meta);
    const batch = 64;
    const out = new Float32Array(batch * features);
    global.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let checksum = 0;
    for (let start = 0; start < samples; start += batch) {
      const indices = Array.from({ length: Math.min(batch, samples - start) }, (_, i) => start + i);
      const values = reader.read(0, indices, out);
      checksum += values[0] ?? 0;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    reader.close();
    expect(checksum).toBe(Array.from({ length: samples / batch }, (_, b) => b * batch).reduce((a, b) => a + b, 0));
    const fileBytes = samples * features * 4;
    expect(peakRss - before.rss).toBeLessThan(fileBytes / 8);
  });
});
