import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_BIN, cliWith, lastJson } from './helpers/cli';
import { makeTempDir, snapshot, vectorManifest, writeFiles } from './helpers/dataset-folder';

const cacheDir = makeTempDir('cli-run-cache');
const home = makeTempDir('cli-run-home');
afterAll(() => [cacheDir, home].forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const cli = cliWith({ MODALITY_STUDIO_CACHE: cacheDir, MODALITY_STUDIO_HOME: home });

describe('run refuses what it cannot do, and says why', () => {
  it('names the package to install when the asked-for backend is missing', () => {
    const result = cli('run', 'synthetic-unimodal', '--backend', 'gpu');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The gpu backend is not usable here');
    expect(result.stderr).toContain('@tensorflow/tfjs-node-gpu');
    expect(result.stderr).toContain('--backend auto');
  });

  it('exits 2 naming the setting when an option is out of range', () => {
    const zero = cli('run', 'synthetic-unimodal', '--epochs', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('Setting "epochs" is 0');
    const method = cli('run', 'synthetic-unimodal', '--method', 'best');
    expect(method.code).toBe(2);
    expect(method.stderr).toContain('Setting "method" is "best"');
  });

  it('shows the validation report and exits 1 when the dataset is not usable', () => {
    const dir = makeTempDir('cli-run-bad');
    writeFiles(dir, { 'manifest.csv': vectorManifest(12).replace(/,dog,/g, ',cat,') });
    const result = cli('run', dir);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[too-few-classes]');
  });
});

describe('run never overwrites, never writes into the dataset, and fails fast on unusable places', () => {
  const quick = ['--epochs', '1', '--teacher-epochs', '1', '--probe-epochs', '1', '--method', 'umt'];

  it('refuses an --out folder that already holds files, leaving them as they were', () => {
    const out = makeTempDir('cli-run-out');
    writeFiles(out, { 'model-card.json': 'keep', 'umt/weights.bin': 'keep too' });
    const before = snapshot(out);
    const runCount = () => lastJson<{ runs: unknown[] }>(cli('runs', 'list', '--json').stdout).runs.length;
    const runsBefore = runCount();
    const result = cli('run', 'synthetic-unimodal', ...quick, '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${out} already exists and is not an empty folder`);
    expect(snapshot(out)).toBe(before);
    expect(runCount(), 'refused before any run was recorded').toBe(runsBefore);
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('refuses an --out folder inside the dataset folder, which stays untouched', () => {
    const dataset = makeTempDir('cli-run-ds');
    writeFiles(dataset, { 'manifest.csv': vectorManifest(24) });
    const before = snapshot(dataset);
    const result = cli('run', dataset, ...quick, '--out', path.join(dataset, 'model'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is inside the dataset folder');
    expect(snapshot(dataset)).toBe(before);
    fs.rmSync(dataset, { recursive: true, force: true });
  });

  it('says within seconds that a --db which is a folder, or under /proc, cannot be used, wherever it is started', () => {
    for (const db of [home, '/proc/no-such-process/runs.sqlite']) {
      const started = Date.now();
      // From a folder outside the checkout, as a user runs it: the engine process must start from anywhere.
      const result = spawnSync(process.execPath, [CLI_BIN, 'run', 'synthetic-unimodal', '--db', db], {
        cwd: os.tmpdir(),
        encoding: 'utf8',
        timeout: 20_000,
        env: { ...process.env, MODALITY_STUDIO_CACHE: cacheDir, MODALITY_STUDIO_HOME: home },
      });
      expect(result.signal, `run --db ${db} hung`).toBeNull();
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`The run database ${db} cannot be used`);
      expect(result.stderr).toContain('--db');
      expect(result.stderr).not.toContain('unexpectedly');
      expect(Date.now() - started).toBeLessThan(15_000);
    }
  });
});
