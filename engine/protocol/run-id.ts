/**
 * What a run id may be. The engine makes UUIDs; an imported run keeps its own id, which becomes a folder
 * name under the app's data folder (`runs/ID/model`, `runs/ID/checkpoints`), so anything that could step out
 * of that folder (`..`, a separator, a drive letter) or be hidden (a leading dot) is refused.
 */
export const SAFE_RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isSafeRunId(id: unknown): id is string {
  return typeof id === 'string' && SAFE_RUN_ID.test(id);
}
