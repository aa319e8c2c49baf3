import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cliWith } from './helpers/cli';
import { makeTempDir, vectorManifest, writeFiles } from './helpers/dataset-folder';

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
