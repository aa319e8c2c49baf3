import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  makeTempDir,
  validatorInto,
  npy,
  png,
  sineWav,
  vectorManifest,
  writeFiles,
} from '../../test/helpers/dataset-folder';
import type { DatasetIssueCode, ValidationReport } from '../protocol/dataset';
import { MAX_LISTED_ISSUES } from './issues';
import { prepareDataset } from './prepare';

const cacheDir = makeTempDir('cache');
const folders: string[] = [cacheDir];
afterAll(() => folders.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Writes a dataset, validates it, and checks the folder was left exactly as it was. */
const validate = validatorInto(cacheDir, folders);

function expectError(report: ValidationReport, code: DatasetIssueCode, ...culprits: string[]) {
  expect(report.ok).toBe(false);
  const issue = report.errors.find((e) => e.code === code);
  expect(issue, `expected a ${code} error among ${JSON.stringify(report.errors)}`).toBeDefined();
  for (const culprit of culprits) expect(issue?.message).toContain(culprit);
  return issue;
}

/** Image files for `imageManifest` rows. */
async function imageFiles(count: number): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < count; i += 1) files[`img/${i}.png`] = await png(8, 8, 1, i);
  return files;
}

function imageManifest(count: number, edit: (line: string, i: number) => string = (l) => l): string {
  const lines = ['id,label,split,v.a,v.b,img'];
  for (let i = 0; i < count; i += 1) {
    const split = i < count / 2 ? 'train' : i < (3 * count) / 4 ? 'val' : 'test';
    lines.push(edit(`s${i},${i % 2 ? 'dog' : 'cat'},${split},${i},${i + 1},img/${i}.png`, i));
  }
  return `${lines.join('\n')}\n`;
}

describe('validation names the culprit of every problem', () => {
  it('accepts a well-formed dataset with no errors', async () => {
    const report = await validate({ 'manifest.csv': imageManifest(8), ...(await imageFiles(8)) });
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.modalities).toEqual([
      { name: 'v', kind: 'vector', shape: [2], source: 'columns' },
      { name: 'img', kind: 'image', shape: [8, 8, 1], source: 'files', extensions: ['.png'] },
    ]);
  });

  it('reports a missing file with its sample, line and path', async () => {
    const files = await imageFiles(8);
    delete files['img/3.png'];
    const issue = expectError(
      await validate({ 'manifest.csv': imageManifest(8), ...files }),
      'missing-file',
      'img/3.png',
      'Sample "s3"',
      'line 5',
    );
    expect(issue).toMatchObject({ file: 'img/3.png', row: 5, sampleId: 's3', column: 'img' });
  });

  it('reports a path that is a folder as unreadable', async () => {
    const files = await imageFiles(8);
    delete files['img/2.png'];
    const report = await validate({ 'manifest.csv': imageManifest(8), ...files, 'img/2.png/inner.txt': 'x' });
    expectError(report, 'unreadable-file', 'img/2.png', 'folder');
  });

  it('reports a corrupt image', async () => {
    const files = await imageFiles(8);
    files['img/4.png'] = new TextEncoder().encode('this is not a png');
    expectError(
      await validate({ 'manifest.csv': imageManifest(8), ...files }),
      'corrupt-image',
      'img/4.png',
      'Sample "s4"',
    );
  });

  it('reports a truncated image whose header is intact', async () => {
    const files = await imageFiles(8);
    const whole = await png(64, 64, 3, 99);
    files['img/5.png'] = whole.subarray(0, Math.floor(whole.length / 2));
    expectError(await validate({ 'manifest.csv': imageManifest(8), ...files }), 'corrupt-image', 'img/5.png');
  });

  it('reports a WAV whose header promises more data than the file holds', async () => {
    const lines = ['id,label,split,v.a,sound'];
    const files: Record<string, Uint8Array | string> = {};
    for (let i = 0; i < 8; i += 1) {
      lines.push(`s${i},${i % 2 ? 'dog' : 'cat'},${i < 4 ? 'train' : i < 6 ? 'val' : 'test'},${i},wav/${i}.wav`);
      files[`wav/${i}.wav`] = sineWav(0.2, 16_000, 440);
    }
    files['wav/6.wav'] = (files['wav/6.wav'] as Uint8Array).subarray(0, 2000);
    files['manifest.csv'] = lines.join('\n');
    const issue = expectError(await validate(files), 'corrupt-audio', 'wav/6.wav', 'promises', 'truncated');
    expect(issue?.sampleId).toBe('s6');
  });

  it('reports a corrupt .npy array', async () => {
    const lines = ['id,label,split,v.a,arr'];
    const files: Record<string, Uint8Array | string> = {};
    for (let i = 0; i < 8; i += 1) {
      lines.push(`s${i},${i % 2 ? 'dog' : 'cat'},${i < 4 ? 'train' : i < 6 ? 'val' : 'test'},${i},arr/${i}.npy`);
      files[`arr/${i}.npy`] = npy([4], (j) => j + i);
    }
    files['arr/1.npy'] = (files['arr/1.npy'] as Uint8Array).subarray(0, 70);
    files['manifest.csv'] = lines.join('\n');
    expectError(await validate(files), 'corrupt-array', 'arr/1.npy', 'truncated');
  });

  it('reports non-numeric, empty, NaN and infinite values with their column', async () => {
    const manifest = vectorManifest(12).split('\n');
    manifest[2] = manifest[2]!.replace(/,0\.5,/, ',abc,');
    manifest[3] = manifest[3]!.replace(/^(s2,cat,train,2),1,/, '$1,NaN,');
    manifest[4] = manifest[4]!.replace(/,-3,/, ',inf,');
    manifest[5] = manifest[5]!.replace(/,-4,/, ',,');
    const report = await validate({ 'manifest.csv': manifest.join('\n') });
    expectError(report, 'non-numeric', '"left.b"', '"abc"', 'line 3');
    const nonFinite = report.errors.filter((e) => e.code === 'non-finite');
    expect(nonFinite.map((e) => [e.sampleId, e.column])).toEqual([
      ['s2', 'left.b'],
      ['s3', 'right.x'],
    ]);
    expect(report.errors.find((e) => e.sampleId === 's4')?.message).toContain('"right.x" is empty');
  });

  it('reports a row with the wrong number of fields', async () => {
    const manifest = vectorManifest(12).split('\n');
    manifest[6] = `${manifest[6]},extra`;
    const issue = expectError(
      await validate({ 'manifest.csv': manifest.join('\n') }),
      'wrong-field-count',
      'line 7',
      '9 fields',
      'header has 8',
    );
    expect(issue?.row).toBe(7);
  });

  it('reports vectors of different lengths in one modality', async () => {
    const lines = [
      '{"label":"cat","split":"train","modalities":{"a":[1,2,3],"b":[1]}}',
      '{"label":"dog","split":"train","modalities":{"a":[1,2,3],"b":[2]}}',
      '{"id":"odd","label":"cat","split":"test","modalities":{"a":[1,2],"b":[3]}}',
      '{"label":"dog","split":"test","modalities":{"a":[4,5,6],"b":[4]}}',
    ];
    const issue = expectError(
      await validate({ 'manifest.jsonl': lines.join('\n') }),
      'vector-length',
      'Sample "odd"',
      'has 2 values',
      'most samples have 3',
    );
    expect(issue?.row).toBe(3);
  });

  it('reports a duplicate id with both lines', async () => {
    const manifest = vectorManifest(12).replace(/^s5,/m, 's4,');
    expectError(await validate({ 'manifest.csv': manifest }), 'duplicate-id', 'id "s4"', 'line 6', 'line 7');
  });

  it('reports a val/test label never seen in train', async () => {
    const manifest = vectorManifest(12).replace(/^s10,cat,/m, 's10,bird,');
    expectError(await validate({ 'manifest.csv': manifest }), 'unseen-label', '"bird"', 'Sample "s10"', 'test');
  });

  it('reports fewer than two classes', async () => {
    const manifest = vectorManifest(12).replace(/,dog,/g, ',cat,');
    expectError(await validate({ 'manifest.csv': manifest }), 'too-few-classes', 'only one class ("cat")');
  });

  it('reports fewer than two modalities', async () => {
    const manifest = 'id,label,only.a,only.b\n1,cat,1,2\n2,dog,3,4\n';
    expectError(await validate({ 'manifest.csv': manifest }), 'too-few-modalities', '"only"', 'at least 2');
  });

  it('reports an empty manifest', async () => {
    expectError(await validate({ 'manifest.csv': '' }), 'manifest-empty', 'manifest.csv');
    expectError(await validate({ 'manifest.csv': 'id,label,a.x,b.y\n' }), 'manifest-empty', 'no rows');
    expectError(await validate({ 'manifest.jsonl': '\n\n' }), 'manifest-empty', 'manifest.jsonl');
  });

  it('reports a folder with no manifest and no layout, counting what it found', async () => {
    expectError(
      await validate({ 'notes.txt': 'hello', 'pictures/a.png': 'x' }),
      'no-manifest',
      'manifest.csv',
      '1 folder and 1 other entry',
      'SPLIT/LABEL/ID.MODALITY.EXT',
    );
  });

  it('reports a manifest that is not text', async () => {
    const binary = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0xff, 0xfe]);
    expectError(await validate({ 'manifest.csv': binary }), 'manifest-not-text', 'manifest.csv', 'not UTF-8 text');
  });

  it('reports a JSONL line that is not JSON, by line number', async () => {
    const lines = ['{"label":"cat","split":"train","modalities":{"a":[1],"b":[1]}}', '{"label": "dog", oops}'];
    const issue = expectError(
      await validate({ 'manifest.jsonl': lines.join('\n') }),
      'manifest-parse',
      'line 2',
      'not valid JSON',
    );
    expect(issue?.row).toBe(2);
  });

  it('refuses absolute paths, ".." segments and symlinks that leave the folder', async () => {
    const outside = makeTempDir('outside');
    folders.push(outside);
    fs.writeFileSync(path.join(outside, 'secret.png'), await png(8, 8, 1, 1));
    const files = await imageFiles(8);
    const manifest = imageManifest(8, (line, i) =>
      i === 1
        ? line.replace('img/1.png', path.join(outside, 'secret.png'))
        : i === 2
          ? line.replace('img/2.png', '../outside/secret.png')
          : line,
    );
    const dir = makeTempDir('ds');
    folders.push(dir);
    writeFiles(dir, { 'manifest.csv': manifest, ...files });
    fs.rmSync(path.join(dir, 'img/3.png'));
    fs.symlinkSync(path.join(outside, 'secret.png'), path.join(dir, 'img/3.png'));
    const { report } = await prepareDataset(dir, { cacheDir });
    const outsideErrors = report.errors.filter((e) => e.code === 'path-outside');
    expect(outsideErrors.map((e) => e.sampleId)).toEqual(['s1', 's2', 's3']);
    expect(outsideErrors[0]?.message).toContain('absolute path');
    expect(outsideErrors[1]?.message).toContain('".." segment');
    expect(outsideErrors[2]?.message).toContain('symbolic link');
  });

  it('reports an unknown extension and says which kinds exist', async () => {
    const files = await imageFiles(8);
    const manifest = imageManifest(8, (line, i) => (i === 0 ? line.replace('img/0.png', 'img/0.gif') : line));
    expectError(
      await validate({ 'manifest.csv': manifest, ...files, 'img/0.gif': 'GIF89a' }),
      'unknown-extension',
      'img/0.gif',
      '.png',
    );
  });

  it('lists at most 50 errors and counts the rest', async () => {
    const lines = ['id,label,split,a.x,b.y'];
    for (let i = 0; i < 80; i += 1) lines.push(`s${i},${i % 2 ? 'dog' : 'cat'},train,oops,1`);
    const report = await validate({ 'manifest.csv': lines.join('\n') });
    expect(report.errors).toHaveLength(MAX_LISTED_ISSUES);
    expect(report.errorCount).toBeGreaterThanOrEqual(80);
  });

  it('reports a dataset path that does not exist or is a file without a stack trace', async () => {
    const missing = await prepareDataset('/nonexistent/dataset', { cacheDir });
    expectError(missing.report, 'not-a-folder', '/nonexistent/dataset', 'does not exist');
    const dir = makeTempDir('file');
    folders.push(dir);
    fs.writeFileSync(path.join(dir, 'manifest.csv'), vectorManifest());
    const file = await prepareDataset(path.join(dir, 'manifest.csv'), { cacheDir });
    expectError(file.report, 'not-a-folder', 'is a file');
  });

  it('reports a malformed dataset.json', async () => {
    expectError(
      await validate({ 'manifest.csv': vectorManifest(), 'dataset.json': '{"modalities": {"left": {"channels": 2}}}' }),
      'bad-options',
      'modalities.left.channels',
    );
  });
});
