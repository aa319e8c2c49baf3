import { describe, expect, it } from 'vitest';
import { pathProblem } from './path-check';

describe('paths typed into the UI', () => {
  it('takes absolute paths, home paths and built-in names', () => {
    for (const path of ['/data/set', '~', '~/data/set', 'C:\\data\\set', 'D:/data', '\\\\server\\share\\set'])
      expect(pathProblem(path, 'dataset'), path).toBeNull();
    expect(pathProblem('synthetic-mixed', 'dataset', ['synthetic-mixed'])).toBeNull();
  });

  it('refuses a relative path, saying why and which absolute path it expects', () => {
    expect(pathProblem('data/set', 'dataset', ['synthetic-mixed'])).toBe(
      "\"data/set\" is a relative path, which would be taken from the engine's working folder. Enter the folder's full path (or a built-in dataset's name: synthetic-mixed), starting with / or ~/ for your home folder, for example /home/you/data/set.",
    );
    expect(pathProblem('./models/m1', 'folder')).toMatch(
      /^"\.\/models\/m1" is a relative path.*for example \/home\/you\/models\/m1\.$/,
    );
    expect(pathProblem('  ', 'folder')).toBe('Enter the path of a folder.');
    // A built-in's name only counts for datasets.
    expect(pathProblem('synthetic-mixed', 'folder', ['synthetic-mixed'])).not.toBeNull();
  });
});
