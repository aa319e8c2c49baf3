import { afterAll, describe, expect, it } from 'vitest';
import { png, sineWav, tempFolders, writeFiles } from '../../test/helpers/dataset-folder';
import { prepareDataset, type PrepareProgress } from './prepare';

const folders = tempFolders();
afterAll(() => folders.removeAll());

/** 96 samples of a PNG and a WAV (one of them corrupt when `broken`), split train/val/test. */
async function audioImageFolder(broken = false): Promise<string> {
  const dir = folders.make('pool-ds');
  const lines = ['id,label,split,photo,sound'];
  const files: Record<string, string | Uint8Array> = {};
  for (let i = 0; i < 96; i += 1) {
    files[`img/${i}.png`] = await png(8, 8, 1, i);
    files[`wav/${i}.wav`] = sineWav(0.25, 16_000, 200 + 10 * i);
    lines.push(`s${i},${i % 3 ? 'a' : 'b'},${i < 64 ? 'train' : i < 80 ? 'val' : 'test'},img/${i}.png,wav/${i}.wav`);
  }
  if (broken) {
    // A sound header and an image header that pass the check; the image's pixel data is damaged, so only
    // decoding (on a pool thread) finds out.
    const damaged = Buffer.from(files['img/70.png'] as Uint8Array);
    damaged.fill(0xff, 45, damaged.length - 16);
    files['img/70.png'] = damaged;
  }
  writeFiles(dir, { ...files, 'manifest.csv': `${lines.join('\n')}\n` });
  return dir;
}

describe('decoding on a pool of threads', () => {
  it('writes the same cache, in dataset order, as decoding in one thread', async () => {
    const dir = await audioImageFolder();
    const single = await prepareDataset(dir, { cacheDir: folders.make('cache-1'), threads: 0 });
    const progress: PrepareProgress[] = [];
    const pooled = await prepareDataset(dir, {
      cacheDir: folders.make('cache-3'),
      threads: 3,
      onProgress: (p) => progress.push(p),
    });
    expect(pooled.report).toEqual(single.report);
    const all = Array.from({ length: 96 }, (_, i) => i);
    for (const modality of [0, 1])
      expect(pooled.dataset!.reader.read(modality, all)).toEqual(single.dataset!.reader.read(modality, all));
    expect(pooled.dataset!.meta.modalities.map((m) => m.normalization)).toEqual(
      single.dataset!.meta.modalities.map((m) => m.normalization),
    );
    const decoding = progress.filter((p) => p.phase === 'decoding').map((p) => p.done);
    expect(decoding).toEqual([...decoding].sort((a, b) => a - b));
    expect(decoding.at(-1)).toBe(96);
    single.dataset!.reader.close();
    pooled.dataset!.reader.close();
  });

  it('reports a file that a pool thread could not decode, with its sample and line', async () => {
    const { report, dataset } = await prepareDataset(await audioImageFolder(true), {
      cacheDir: folders.make('cache-bad'),
      threads: 2,
    });
    expect(dataset).toBeNull();
    expect(report.errors).toEqual([
      expect.objectContaining({ code: 'corrupt-image', file: 'img/70.png', sampleId: 's70', row: 72 }),
    ]);
    expect(report.errors[0]?.message).toContain('Sample "s70" (manifest.csv line 72)');
  });
});
