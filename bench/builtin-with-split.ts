import fs from 'node:fs';
import path from 'node:path';
import { findBuiltin, writeBuiltin } from '../engine/data/builtin/registry';

/**
 * A built-in dataset with its split written into the manifest (row index mod 10: 0–6 train, 7 val, 8–9 test),
 * so that our CLI and a PyTorch reference train, select and test on exactly the same samples. Written once
 * into `work/NAME-split` and reused.
 */
export async function builtinWithSplit(name: string, work: string): Promise<string> {
  const builtin = findBuiltin(name);
  if (!builtin) throw new Error(`${name} is not a built-in dataset.`);
  const dir = path.join(work, `${name}-split`);
  if (fs.existsSync(path.join(dir, 'manifest.csv'))) return dir;
  const staging = `${dir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  await writeBuiltin(builtin, staging);
  const [header = '', ...rows] = fs.readFileSync(path.join(staging, 'manifest.csv'), 'utf8').trim().split('\n');
  const split = (i: number) => (i % 10 < 7 ? 'train' : i % 10 === 7 ? 'val' : 'test');
  const [id, label, ...rest] = header.split(',');
  const lines = [
    [id, label, 'split', ...rest].join(','),
    ...rows.map((row, i) => {
      const [a, b, ...others] = row.split(',');
      return [a, b, split(i), ...others].join(',');
    }),
  ];
  fs.writeFileSync(path.join(staging, 'manifest.csv'), `${lines.join('\n')}\n`);
  fs.renameSync(staging, dir);
  return dir;
}
