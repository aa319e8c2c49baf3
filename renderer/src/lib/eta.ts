/**
 * Seconds left in a phase, from its progress so far: `done` of `total` batches (over all its epochs) in
 * `elapsedMs`. Null until there is enough to go on (a few batches), so the UI does not flash wild guesses.
 * Early stopping can end a phase sooner: this is an upper estimate.
 */
export function secondsLeft(done: number, total: number, elapsedMs: number): number | null {
  if (done < 3 || total <= 0 || elapsedMs <= 0) return null;
  return Math.max(0, ((total - done) * elapsedMs) / done / 1000);
}

/** Batches done in a phase of `epochs` epochs of `batches` batches, at batch `batch` (1-based) of epoch `epoch` (1-based). */
export function batchesDone(epoch: number, batch: number, batches: number): number {
  return (epoch - 1) * batches + batch;
}
