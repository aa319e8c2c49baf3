import fs from 'node:fs';
import path from 'node:path';
import { DatasetError } from './issues';

export type ConfinedPath =
  | { ok: true; absolute: string; relative: string }
  | { ok: false; reason: 'absolute' | 'parent-segment' | 'outside' | 'empty' };

/**
 * Resolves a path a manifest names, refusing anything that could read outside the dataset folder:
 * absolute paths, `..` segments, and symlinks (of the file or any folder on the way) that resolve outside.
 * `rootReal` is the dataset folder after `fs.realpathSync`. A path that does not exist is returned as
 * confined (the caller reports it missing), since nothing can be read through it.
 */
export function confinePath(rootReal: string, given: string): ConfinedPath {
  const trimmed = given.trim();
  if (trimmed === '') return { ok: false, reason: 'empty' };
  if (path.isAbsolute(trimmed) || path.win32.isAbsolute(trimmed) || /^[a-zA-Z]:/.test(trimmed)) {
    return { ok: false, reason: 'absolute' };
  }
  const segments = trimmed.split(/[\\/]+/);
  if (segments.includes('..')) return { ok: false, reason: 'parent-segment' };
  const absolute = path.join(rootReal, ...segments);
  let real: string;
  try {
    real = fs.realpathSync(absolute);
  } catch {
    return { ok: true, absolute, relative: segments.join('/') };
  }
  if (real !== rootReal && !real.startsWith(rootReal + path.sep)) return { ok: false, reason: 'outside' };
  return { ok: true, absolute: real, relative: segments.join('/') };
}

export function describeConfinementFailure(reason: Exclude<ConfinedPath, { ok: true }>['reason']): string {
  switch (reason) {
    case 'absolute':
      return 'is an absolute path; paths must be relative to the dataset folder';
    case 'parent-segment':
      return 'contains a ".." segment; paths must stay inside the dataset folder';
    case 'outside':
      return 'is a symbolic link that resolves outside the dataset folder; copy the file into the folder instead';
    case 'empty':
      return 'is empty; give the path of a file relative to the dataset folder';
  }
}

/** The dataset folder with links resolved, or a {@link DatasetError} saying it is missing or not a folder. */
export function realDatasetFolder(root: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(root);
  } catch {
    throw new DatasetError({
      code: 'not-a-folder',
      file: root,
      message: `${root} does not exist; give the path of a dataset folder (one holding manifest.csv, manifest.jsonl or train/ val/ test/ folders).`,
    });
  }
  if (!stat.isDirectory()) {
    throw new DatasetError({
      code: 'not-a-folder',
      file: root,
      message: `${root} is a file; give the folder that holds it (a dataset is a folder with a manifest.csv, manifest.jsonl or SPLIT/LABEL/ folders).`,
    });
  }
  return fs.realpathSync(root);
}
