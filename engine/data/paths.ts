import fs from 'node:fs';
import path from 'node:path';

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
