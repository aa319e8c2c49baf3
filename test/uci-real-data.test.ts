import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDataset } from '../engine/data/prepare';
import { makeTempDir } from './helpers/dataset-folder';

const ROOT = path.resolve(__dirname, '..');
const out = makeTempDir('uci');
const cacheDir = makeTempDir('uci-cache');
afterAll(() => [out, cacheDir].forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/**
 * Real public data, converted by scripts/uci-examples.ts from the copies Debian's python3-sklearn package
 * ships (fetched with apt-get download when the package is not installed).
 */
describe('real UCI datasets in the dataset format', () => {
  it('converts and validates Breast Cancer Wisconsin as three views, and optdigits halves as .npy images', async () => {
    const convert = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'scripts/uci-examples.ts'), out],
      { encoding: 'utf8' },
    );
    expect(convert.status, convert.stderr).toBe(0);

    const cancer = await prepareDataset(path.join(out, 'uci-breast-cancer'), { cacheDir });
    cancer.dataset?.reader.close();
    expect(cancer.report).toMatchObject({
      ok: true,
      samples: 569,
      classes: ['benign', 'malignant'],
      splits: { train: 398, val: 57, test: 114 },
    });
    expect(cancer.report.modalities.map((m) => [m.name, m.shape])).toEqual([
      ['mean', [10]],
      ['se', [10]],
      ['worst', [10]],
    ]);
    const perClass = cancer.report.classCounts!;
    expect(perClass.benign!.train + perClass.benign!.val + perClass.benign!.test).toBe(357);
    expect(perClass.malignant!.train + perClass.malignant!.val + perClass.malignant!.test).toBe(212);

    const digits = await prepareDataset(path.join(out, 'uci-optdigits'), { cacheDir });
    digits.dataset?.reader.close();
    expect(digits.report).toMatchObject({ ok: true, samples: 1797, splits: { train: 1258, val: 179, test: 360 } });
    expect(digits.report.classes).toHaveLength(10);
    expect(digits.report.modalities.map((m) => [m.name, m.kind, m.shape])).toEqual([
      ['top', 'image', [4, 8, 1]],
      ['bottom', 'image', [4, 8, 1]],
    ]);
  }, 180_000);
});
