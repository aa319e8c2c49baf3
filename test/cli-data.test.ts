import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ValidationReport } from '../engine/protocol/dataset';
import { cliWith, lastJson } from './helpers/cli';
import { makeTempDir, snapshot, vectorManifest, writeFiles } from './helpers/dataset-folder';

const cacheDir = makeTempDir('cli-cache');
const folders = [cacheDir];
afterAll(() => folders.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const cli = cliWith({ MODALITY_STUDIO_CACHE: cacheDir });

describe('modality-studio CLI: datasets, sample, validate', () => {
  it('writes a built-in as a folder that validate accepts (exit 0, JSON report)', () => {
    const dir = path.join(makeTempDir('cli'), 'mixed');
    folders.push(path.dirname(dir));
    const sample = cli('sample', 'synthetic-mixed', dir);
    expect(sample.code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'manifest.csv'))).toBe(true);
    const before = snapshot(dir);
    const result = cli('validate', dir, '--json');
    expect(result.code).toBe(0);
    const report = lastJson<ValidationReport>(result.stdout);
    expect(report).toMatchObject({
      ok: true,
      samples: 3000,
      classes: ['class-0', 'class-1', 'class-2'],
      splits: { train: 2100, val: 300, test: 600 },
      errors: [],
      warnings: [],
    });
    expect(report.modalities).toEqual([
      { name: 'a', kind: 'vector', shape: [16], source: 'columns' },
      { name: 'b', kind: 'vector', shape: [16], source: 'columns' },
    ]);
    expect(snapshot(dir)).toBe(before);
  });

  it('exits 1 with a readable report naming the culprit when the dataset is not usable', () => {
    const dir = makeTempDir('cli-bad');
    folders.push(dir);
    writeFiles(dir, { 'manifest.csv': vectorManifest(12).replace('s3,dog,train,3,', 's3,dog,train,three,') });
    const result = cli('validate', dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ Not usable');
    expect(result.stdout).toContain(
      'Sample "s3" (manifest.csv line 5): column "left.a" is "three"; expected a finite decimal number.',
    );
    const json = cli('validate', dir, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).errors[0]).toMatchObject({
      code: 'non-numeric',
      row: 5,
      sampleId: 's3',
      column: 'left.a',
    });
  });

  it('exits 2 on a usage error', () => {
    expect(cli('validate').code).toBe(2);
    expect(cli('frobnicate').code).toBe(2);
    expect(cli('sample', 'no-such-dataset', makeTempDir('x')).code).toBe(2);
  });

  it('lists the built-in datasets as JSON', () => {
    const result = cli('datasets', '--json');
    expect(result.code).toBe(0);
    const names = (JSON.parse(result.stdout) as { datasets: { name: string }[] }).datasets.map((d) => d.name);
    expect(names).toEqual(['synthetic-unimodal', 'synthetic-paired', 'synthetic-mixed', 'mnist-halves']);
  });

  it('doctor lists every backend as JSON, usable or not with the reason, and times the usable ones', () => {
    const result = cli('doctor', '--json');
    expect(result.code, result.stderr).toBe(0);
    const { backends } = JSON.parse(result.stdout) as {
      backends: {
        name: string;
        usable: boolean;
        reason?: string;
        stepMs?: number;
        adapter?: { description: string };
      }[];
    };
    expect(backends.map((b) => b.name)).toEqual(['gpu', 'native', 'wasm', 'cpu', 'webgpu']);
    // WebGPU names its adapter when it has one (CI: lavapipe), and says what is missing when not.
    const webgpu = backends.find((b) => b.name === 'webgpu')!;
    if (webgpu.usable) expect(webgpu.adapter?.description).toBeTruthy();
    else expect(process.env.MODALITY_STUDIO_REQUIRE_WEBGPU, webgpu.reason).toBeUndefined();
    expect(backends.find((b) => b.name === 'wasm')).toMatchObject({ usable: true, stepMs: expect.any(Number) });
    for (const backend of backends.filter((b) => !b.usable)) expect(backend.reason).toContain('to use it, install');
  }, 60_000);

  it('validates a built-in dataset by name', () => {
    const result = cli('validate', 'synthetic-paired', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, name: 'synthetic-paired', samples: 3000 });
  });
});
