import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { npy, snapshot, tempFolders, vectorManifest, writeFiles } from '../../test/helpers/dataset-folder';
import type { DatasetIssueCode, ValidationReport } from '../protocol/dataset';
import { encodeNpy } from './formats/npy';
import { prepareDataset } from './prepare';

const temp = tempFolders();
const cacheDir = temp.make('cache');
afterAll(() => temp.removeAll());

/**
 * Validates a folder that `build` fills, within `limitMs` and 200 MB of memory growth, and checks the folder
 * was left as it was.
 */
async function validateWithin(limitMs: number, build: (dir: string) => void): Promise<ValidationReport> {
  const dir = temp.make('hostile');
  build(dir);
  const before = snapshot(dir);
  const rssBefore = process.memoryUsage().rss;
  const started = Date.now();
  const { report, dataset } = await prepareDataset(dir, { cacheDir, writeCache: false });
  dataset?.reader.close();
  expect(Date.now() - started).toBeLessThan(limitMs);
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  expect(snapshot(dir)).toBe(before);
  return report;
}

function expectError(report: ValidationReport, code: DatasetIssueCode, ...culprits: string[]): string {
  expect(report.ok).toBe(false);
  const issue = report.errors.find((e) => e.code === code);
  expect(issue, `expected a ${code} error among ${JSON.stringify(report.errors)}`).toBeDefined();
  for (const culprit of culprits) expect(issue?.message).toContain(culprit);
  return issue?.message ?? '';
}

/** An image-less dataset whose second modality is one .npy file per sample. */
function npyManifest(rows: number): string {
  const lines = ['id,label,split,v.a,arr'];
  for (let i = 0; i < rows; i += 1)
    lines.push(
      `s${i},${i % 2 ? 'dog' : 'cat'},${i < rows / 2 ? 'train' : i < (3 * rows) / 4 ? 'val' : 'test'},${i},arr/${i}.npy`,
    );
  return `${lines.join('\n')}\n`;
}

describe('a dataset folder cannot hang validation, exhaust memory or read outside itself', () => {
  it('refuses a dataset.json or manifest.csv linked to /dev/zero instead of reading it forever', async () => {
    for (const name of ['dataset.json', 'manifest.csv']) {
      const report = await validateWithin(5000, (dir) => {
        writeFiles(dir, { 'manifest.csv': vectorManifest() });
        fs.rmSync(path.join(dir, name), { force: true });
        fs.symlinkSync('/dev/zero', path.join(dir, name));
      });
      expectError(report, 'path-outside', name, 'outside the dataset folder');
    }
  });

  it('refuses a manifest.csv that is a named pipe instead of waiting for a writer', async () => {
    const report = await validateWithin(5000, (dir) => execFileSync('mkfifo', [path.join(dir, 'manifest.csv')]));
    expectError(report, 'unreadable-file', 'manifest.csv', 'named pipe', 'not a regular file');
  });

  it('refuses a sample file that is a named pipe', async () => {
    const report = await validateWithin(5000, (dir) => {
      writeFiles(dir, {
        'manifest.csv': npyManifest(8),
        ...Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`arr/${i}.npy`, npy([3], (j) => i + j)])),
      });
      execFileSync('mkfifo', [path.join(dir, 'arr/7.npy')]);
    });
    expectError(report, 'unreadable-file', 'arr/7.npy', 'not a regular file');
  });

  it('gives a clear error for a folder named dataset.json', async () => {
    const report = await validateWithin(5000, (dir) => {
      writeFiles(dir, { 'manifest.csv': vectorManifest() });
      fs.mkdirSync(path.join(dir, 'dataset.json'));
    });
    expectError(report, 'bad-options', 'dataset.json is a folder', 'remove it');
  });

  it('reads only the header of a huge .npy: a 512 MB sparse array is refused without reading its data', async () => {
    const report = await validateWithin(5000, (dir) => {
      writeFiles(dir, {
        'manifest.csv': npyManifest(8),
        ...Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`arr/${i}.npy`, npy([3], (j) => i + j)])),
      });
      // A header promising 2^27 floats, then 512 MB of (sparse) data: read whole, it would cost 512 MB of memory.
      const header = encodeNpy(new Float32Array(0), [2 ** 27]);
      const file = path.join(dir, 'arr/7.npy');
      fs.writeFileSync(file, header);
      fs.truncateSync(file, header.length + 4 * 2 ** 27);
    });
    expectError(report, 'file-too-large', 'arr/7.npy', '512.0 MB', 'at most 256.0 MB');
  });

  it('refuses a manifest linked outside the folder without echoing what it holds', async () => {
    const secretDir = temp.make('secret');
    fs.writeFileSync(path.join(secretDir, 'passwd'), 'SECRET_TOKEN_abc123,root:x:0:0\n1,2\n');
    const report = await validateWithin(5000, (dir) =>
      fs.symlinkSync(path.join(secretDir, 'passwd'), path.join(dir, 'manifest.csv')),
    );
    expectError(report, 'path-outside', 'manifest.csv');
    expect(JSON.stringify(report)).not.toContain('SECRET_TOKEN');
  });

  it('quotes at most a short excerpt of a manifest inside the folder', async () => {
    const longName = `X${'y'.repeat(500)}\u001b[31m`;
    const report = await validateWithin(5000, (dir) => writeFiles(dir, { 'manifest.csv': `a,b,${longName}\n1,2,3\n` }));
    const message = expectError(report, 'missing-label', 'no "label" column', '3 columns');
    expect(message.length).toBeLessThan(400);
    expect(message).not.toContain('\u001b');
  });

  it('does not list the entries of a folder that is not a dataset', async () => {
    const report = await validateWithin(5000, (dir) =>
      writeFiles(dir, { 'passwd-like-secret.txt': 'x', 'sub/a.txt': 'y' }),
    );
    const message = expectError(report, 'no-manifest', '1 folder and 1 other entry');
    expect(message).not.toContain('passwd-like-secret');
  });

  it('refuses a split folder linked outside the dataset and does not list it', async () => {
    const outside = temp.make('outside');
    writeFiles(outside, { 'cat/leaked-name.a.png': 'x' });
    const report = await validateWithin(5000, (dir) => fs.symlinkSync(outside, path.join(dir, 'train')));
    expectError(report, 'path-outside', 'train');
    expect(JSON.stringify(report)).not.toContain('leaked-name');
  });

  it('refuses a modality named __proto__ instead of dropping it without a word', async () => {
    const rows = Array.from({ length: 8 }, (_, i) =>
      JSON.stringify({ label: i % 2 ? 'a' : 'b', modalities: JSON.parse(`{"x": [${i}, 1], "__proto__": [${i}, 2]}`) }),
    );
    // JSON.stringify of a parsed object keeps its own "__proto__" key: the line is what a user's file holds.
    expect(rows[0]).toContain('__proto__');
    const report = await validateWithin(5000, (dir) => writeFiles(dir, { 'manifest.jsonl': `${rows.join('\n')}\n` }));
    expectError(report, 'manifest-parse', '"__proto__"', 'rename the modality');
    const csv = await validateWithin(5000, (dir) =>
      writeFiles(dir, { 'manifest.csv': vectorManifest().replace('right.x', '__proto__.x') }),
    );
    expectError(csv, 'bad-column', '"__proto__"');
  });
});
