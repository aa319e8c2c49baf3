import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, npy, png, writeFiles } from '../../test/helpers/dataset-folder';
import { prepareDataset } from './prepare';

const cacheDir = makeTempDir('cache');
const folders: string[] = [cacheDir];
afterAll(() => folders.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const SAMPLES = Array.from({ length: 12 }, (_, i) => ({
  id: `n${i}`,
  label: i % 3 === 0 ? 'ant' : i % 3 === 1 ? 'bee' : 'cow',
  split: i < 6 ? 'train' : i < 9 ? 'val' : 'test',
}));

async function commonFiles(prefix: (s: (typeof SAMPLES)[number], modality: string, ext: string) => string) {
  const files: Record<string, Uint8Array> = {};
  for (const [i, s] of SAMPLES.entries()) {
    files[prefix(s, 'photo', 'png')] = await png(6, 5, 3, i);
    files[prefix(s, 'depth', 'npy')] = npy([4], (j) => i * 10 + j);
  }
  return files;
}

async function prepared(files: Record<string, string | Uint8Array>) {
  const dir = makeTempDir('layout');
  folders.push(dir);
  writeFiles(dir, files);
  const { report, dataset } = await prepareDataset(dir, { cacheDir });
  expect(report.errors).toEqual([]);
  const ids = dataset!.meta.sampleIds;
  const depth = Array.from(
    dataset!.reader.read(
      1,
      ids.map((_, i) => i),
    ),
  );
  dataset!.reader.close();
  return { report, ids, splits: dataset!.meta.splits, labels: dataset!.meta.labels, depth };
}

describe('the three ways to describe a dataset read the same data', () => {
  it('manifest.csv, manifest.jsonl and SPLIT/LABEL/ID.MODALITY.EXT agree', async () => {
    const flat = (s: (typeof SAMPLES)[number], m: string, ext: string) => `${m}/${s.id}.${ext}`;
    const csv = await prepared({
      'manifest.csv': [
        'id,label,split,photo,depth',
        ...SAMPLES.map((s) => `${s.id},${s.label},${s.split},photo/${s.id}.png,depth/${s.id}.npy`),
      ].join('\n'),
      ...(await commonFiles(flat)),
    });
    const jsonl = await prepared({
      'manifest.jsonl': SAMPLES.map((s) =>
        JSON.stringify({
          id: s.id,
          label: s.label,
          split: s.split,
          modalities: { photo: `photo/${s.id}.png`, depth: `depth/${s.id}.npy` },
        }),
      ).join('\n'),
      ...(await commonFiles(flat)),
    });
    const layout = await prepared(await commonFiles((s, m, ext) => `${s.split}/${s.label}/${s.id}.${m}.${ext}`));

    expect(csv.report.format).toBe('csv');
    expect(jsonl.report.format).toBe('jsonl');
    expect(layout.report.format).toBe('layout');
    for (const result of [csv, jsonl, layout]) {
      expect(result.report.classes).toEqual(['ant', 'bee', 'cow']);
      expect(result.report.splits).toEqual({ train: 6, val: 3, test: 3 });
      expect(result.report.splitRule).toBe('manifest');
      expect(result.report.modalities.map((m) => [m.name, m.kind, m.shape]).sort()).toEqual([
        ['depth', 'vector', [4]],
        ['photo', 'image', [6, 5, 3]],
      ]);
    }
    // Same sample → same split, label and values, whatever the order each layout lists them in.
    const bySample = (r: typeof csv) => Object.fromEntries(r.ids.map((id, i) => [id, [r.splits[i], r.labels[i]]]));
    expect(bySample(jsonl)).toEqual(bySample(csv));
    expect(bySample(layout)).toEqual(bySample(csv));
  });

  it('reads inline JSONL vectors, and CSV NAME.FEATURE columns in column order', async () => {
    const rows = SAMPLES.map((s, i) => ({
      id: s.id,
      label: s.label,
      split: s.split,
      modalities: { a: [i, i + 0.5], b: [2 * i, 1, -i] },
    }));
    const jsonl = await prepared({ 'manifest.jsonl': rows.map((r) => JSON.stringify(r)).join('\n') });
    const csv = await prepared({
      'manifest.csv': [
        'id,label,split,b.x,a.first,b.y,a.second,b.z',
        ...rows.map(
          (r) =>
            `${r.id},${r.label},${r.split},${r.modalities.b[0]},${r.modalities.a[0]},${r.modalities.b[1]},${r.modalities.a[1]},${r.modalities.b[2]}`,
        ),
      ].join('\n'),
    });
    for (const result of [jsonl, csv]) {
      expect(result.report.modalities.map((m) => [m.name, m.shape])).toEqual(
        expect.arrayContaining([
          ['a', [2]],
          ['b', [3]],
        ]),
      );
    }
    expect(csv.report.modalities.map((m) => m.name)).toEqual(['b', 'a']);
  });

  it('pairs layout files by ID and reports a sample missing a modality', async () => {
    const files = await commonFiles((s, m, ext) => `${s.split}/${s.label}/${s.id}.${m}.${ext}`);
    delete files['train/ant/n3.depth.npy'];
    const dir = makeTempDir('layout');
    folders.push(dir);
    writeFiles(dir, files);
    const { report } = await prepareDataset(dir, { cacheDir });
    expect(report.ok).toBe(false);
    expect(report.errors[0]).toMatchObject({ code: 'layout-unpaired', sampleId: 'n3', column: 'depth' });
    expect(report.errors[0]?.message).toContain('n3.depth.EXT');
  });
});
