import fs from 'node:fs';
import path from 'node:path';

/**
 * Creates `dir` and its missing parents one level at a time. Node 20's `mkdirSync(dir, {recursive: true})`
 * never returns for a path under /proc (it retries forever), so a bad `--db` or `--out` would hang instead
 * of failing; one `mkdir` per level fails at once with the first level that cannot be made.
 */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (fs.existsSync(current)) {
      if (!fs.statSync(current).isDirectory())
        throw Object.assign(new Error(`${current} is a file, not a folder`), { code: 'ENOTDIR', path: current });
      break;
    }
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const level of missing) {
    try {
      fs.mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * `target` with links resolved, for a path that may not exist yet: the deepest existing ancestor is
 * resolved and the rest appended. Two paths are compared this way to learn whether one lies inside the other.
 */
export function realPathOf(target: string): string {
  const rest: string[] = [];
  for (let current = path.resolve(target); ; current = path.dirname(current)) {
    try {
      return path.join(fs.realpathSync(current), ...rest);
    } catch {
      if (path.dirname(current) === current) return path.resolve(target);
      rest.unshift(path.basename(current));
    }
  }
}

/** True when `inner` is `outer` or lies below it, after resolving links on both. */
export function isInside(inner: string, outer: string): boolean {
  const relative = path.relative(realPathOf(outer), realPathOf(inner));
  return relative === '' || (relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative));
}

/** True when `dir` does not exist or is an empty folder: writing there overwrites nothing. */
export function isAbsentOrEmptyFolder(dir: string): boolean {
  if (!fs.existsSync(dir)) return true;
  return fs.statSync(dir).isDirectory() && fs.readdirSync(dir).length === 0;
}

/**
 * Removes `dir` if it is empty, then each empty parent up to (not including) `stop`: what a failed start
 * created for a run (runs/ID/model) goes again, and nothing that holds a file is touched.
 */
export function removeEmptyFolders(dir: string, stop: string): void {
  for (
    let current = path.resolve(dir);
    isInside(current, stop) && current !== path.resolve(stop);
    current = path.dirname(current)
  ) {
    try {
      if (fs.readdirSync(current).length > 0) return;
      fs.rmdirSync(current);
    } catch {
      return;
    }
  }
}
