/** Accuracy as people read it: `0.8234` → `82.3%`. */
export function percent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || Number.isNaN(value) ? '—' : `${(value * 100).toFixed(digits)}%`;
}

/** Signed percentage points: `0.031` → `+3.1 pts`. */
export function points(value: number): string {
  const text = (value * 100).toFixed(1);
  return `${value >= 0 ? '+' : ''}${text} pts`;
}

/** `65_000` → `1 min 5 s`; `3_700_000` → `1 h 1 min`. */
/** Of a run's wall time, what its training took: without the wait for the user's decision. */
export function computeMs(run: { durationMs: number | null; waitingMs?: number }): number | null {
  return run.durationMs === null ? null : Math.max(0, run.durationMs - (run.waitingMs ?? 0));
}

/** "33 s of training, 1 min 16 s waiting for your decision": a run's compute and its wait apart. */
export function runTime(run: { durationMs: number | null; waitingMs?: number }): string {
  const waited = run.waitingMs ?? 0;
  return `${duration(computeMs(run))} of training${waited >= 500 ? `, ${duration(waited)} waiting for your decision` : ''}`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** An ISO time as a local date and time, short. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return `${date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })} ${date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`;
}
