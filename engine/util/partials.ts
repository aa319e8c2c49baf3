import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from './process-alive';

/**
 * Writes go to `NAME.partial-PID-…` beside their target and are renamed into place when whole (the cache,
 * model folders). A process killed meanwhile (kill -9, power loss) leaves its partial folder behind — 130 MB
 * for a CNN run's models. The next writer of the same target removes those of processes that are gone.
 */
export function partialName(target: string): string {
  return `${path.basename(target)}.partial-${process.pid}-`;
}

export function removeStalePartials(target: string): void {
  const dir = path.dirname(target);
  const pattern = new RegExp(`^${escape(path.basename(target))}\\.partial-(\\d+)-`);
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(pattern.exec(entry)?.[1] ?? NaN);
    if (Number.isInteger(pid) && !isAlive(pid)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
