import type { PhaseRef } from '../protocol/run';
import { phaseOf, type RunContext } from './context';
import type { FitResult } from '../train/fit-result';

/** Runs one phase of the context's seed between its started and finished events, reporting its duration and early stop. */
export async function inPhase<T>(
  context: RunContext,
  ref: PhaseRef,
  work: () => Promise<T & { fit?: FitResult }>,
): Promise<T & { fit?: FitResult }> {
  const phase = phaseOf(context, ref);
  const started = Date.now();
  context.emit({ type: 'phase-started', ...phase });
  const result = await work();
  context.emit({
    type: 'phase-finished',
    ...phase,
    durationMs: Date.now() - started,
    ...(result.fit ? { stoppedEarly: result.fit.stoppedEarly, bestEpoch: result.fit.bestEpoch } : {}),
  });
  return result;
}
