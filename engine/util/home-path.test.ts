import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDatasetArgument } from '../data/resolve-dataset';
import { expandHome } from './home-path';

describe('~ in a path the user typed', () => {
  it('is the home folder, alone or at the start', () => {
    expect(expandHome('~', '/home/ada')).toBe('/home/ada');
    expect(expandHome('~/data/set', '/home/ada')).toBe('/home/ada/data/set');
  });

  it('leaves every other path alone', () => {
    expect(expandHome('/srv/~/data', '/home/ada')).toBe('/srv/~/data');
    expect(expandHome('data/~x', '/home/ada')).toBe('data/~x');
    expect(expandHome('~ada/data', '/home/ada')).toBe('~ada/data');
  });
});

describe('a dataset folder given as ~/…', () => {
  it('is found in the home folder, not under the working folder', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-home-'));
    const before = process.env.HOME;
    try {
      fs.mkdirSync(path.join(home, 'data', 'set'), { recursive: true });
      process.env.HOME = home;
      expect(await resolveDatasetArgument('~/data/set', path.join(home, 'cache'))).toBe(path.join(home, 'data', 'set'));
    } finally {
      process.env.HOME = before;
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
