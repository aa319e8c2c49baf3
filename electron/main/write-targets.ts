import path from 'node:path';
import type { EngineCallName } from '../../engine/protocol/engine';

/** The calls that make the engine write somewhere the page names, and the param that names the place. */
const WRITE_TARGETS: Partial<Record<EngineCallName, string>> = {
  'run:start': 'out',
  'run:resume': 'out',
  'model:export': 'dir',
};

/**
 * Why main refuses a call from the window, or null. The page may make the engine write only inside a
 * folder the user chose in the native picker in this session: a compromised page cannot make it write a
 * model over ~/.bashrc's folder or into a dataset.
 */
export function writeTargetRefusal(name: string, params: unknown, picked: ReadonlySet<string>): string | null {
  const key = WRITE_TARGETS[name as EngineCallName];
  if (!key) return null;
  const target = (params as Record<string, unknown> | null)?.[key];
  if (target === undefined) return null;
  if (typeof target !== 'string' || !path.isAbsolute(target)) return `${name}: "${key}" must be an absolute path.`;
  const resolved = path.resolve(target);
  const inside = [...picked].some((folder) => {
    const relative = path.relative(folder, resolved);
    return relative === '' || (relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative));
  });
  return inside
    ? null
    : `${name}: the app writes only inside a folder you chose with Browse…; ${resolved} is not inside one. Choose the folder with Browse… first.`;
}
