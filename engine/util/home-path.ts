import os from 'node:os';
import path from 'node:path';

/**
 * `~` and `~/…` (or `~\…`) as the user's home folder, as a shell would: the web UI's users type paths as
 * in a terminal, and `~/data` must not become `<server working folder>/~/data`. Other paths are
 * returned unchanged; `~user/…` is not expanded.
 */
export function expandHome(given: string, home: string = os.homedir()): string {
  if (given === '~') return home;
  if (given.startsWith('~/') || given.startsWith('~\\')) return path.join(home, given.slice(2));
  return given;
}
