import type { BackendChoice, BackendChoiceEvidence, BackendInfo } from '../protocol/run';
import { timeSteps, type TimedShape } from './step-timing';
import type { BackendProvider } from '../runtime/backends/provider';
import { BACKENDS, type BackendName } from '../runtime/backends/registry';
import { activateProvider, activeBackend, recordChoice, selectBackend } from '../runtime/backends/select-backend';

/**
 * Another backend replaces the first usable one of the registry's order only when it is at least this much
 * faster on the run's model: two backends within timing noise of each other would otherwise swap from one run
 * to the next, and with them the run's last digits.
 */
export const SWITCH_FACTOR = 1.25;

/** Warm-up and timed steps per backend: enough to see a tenfold difference, cheap beside a run (< 1 s on wasm for the bench's CNN). */
const WARMUP_STEPS = 1;
const TIMED_STEPS = 3;

/**
 * The backend a run trains on. A named one is used as asked. `auto` chooses by measuring: every
 * backend that starts here runs a few steps of the run's own model (its modalities, config, classes and
 * batch size; a UMT step, the costliest of a run), and the fastest is chosen, by at least {@link SWITCH_FACTOR}
 * over the registry's first; the run records each time and the reason. Not timed, with the reason recorded:
 * backends that do not start, software WebGPU adapters (the CPU emulating a GPU: their pipelines take tens of
 * seconds to compile and the wasm kernels use the same cores directly), and fallback-only backends. A process
 * whose active backend `auto` chose keeps it (the web server's later runs); one a run asked for by name is
 * not inherited.
 */
export async function backendForRun(choice: BackendChoice, shape: TimedShape): Promise<BackendInfo> {
  if (choice !== 'auto') return selectBackend(choice);
  const current = activeBackend();
  if (current?.choice) return current;
  const measured: BackendChoiceEvidence['measured'] = [];
  const candidates: BackendProvider[] = [];
  const fallbacks: BackendProvider[] = [];
  for (const provider of BACKENDS) {
    if (provider.fallbackOnly) {
      fallbacks.push(provider);
      measured.push({ name: provider.name, note: `not timed: ${provider.fallbackOnly}` });
      continue;
    }
    try {
      const info = await activateProvider(provider);
      if (info.adapter?.software)
        measured.push({
          name: provider.name,
          note: `not timed: ${info.adapter.description || 'a software adapter'} is a software adapter (the CPU emulating a GPU)`,
        });
      else candidates.push(provider);
    } catch (error) {
      measured.push({ name: provider.name, note: `not usable: ${(error as Error).message}` });
    }
  }
  if (candidates.length === 0) {
    for (const provider of fallbacks) {
      try {
        return recordChoice({
          ...(await activateProvider(provider)),
          choice: { measured, reason: `${provider.name}: no other backend starts here` },
        });
      } catch (error) {
        measured.push({ name: provider.name, note: `not usable: ${(error as Error).message}` });
      }
    }
    return selectBackend('cpu');
  }
  if (candidates.length === 1) {
    const only = candidates[0] as BackendProvider;
    return recordChoice({
      ...(await selectBackend(only.name as BackendName)),
      choice: {
        measured: orderLike([{ name: only.name, note: 'not timed: the only backend to time here' }, ...measured]),
        reason: `${only.name}: the only usable backend here that is worth timing`,
      },
    });
  }
  const { chosen, measured: times } = await timeAndChoose(candidates, shape);
  if (!chosen) return selectBackend((candidates[0] as BackendProvider).name as BackendName);
  return recordChoice({
    ...(await selectBackend(chosen.name)),
    choice: { measured: orderLike([...times, ...measured]), reason: chosen.reason },
  });
}

/** Times each candidate (in the registry's order) on the shape and picks with {@link pickFastest}; the last timed stays active. */
export async function timeAndChoose(
  candidates: BackendProvider[],
  shape: TimedShape,
): Promise<{ chosen: ReturnType<typeof pickFastest>; measured: BackendChoiceEvidence['measured'] }> {
  const measured: BackendChoiceEvidence['measured'] = [];
  const timed: { name: BackendName; msPerStep: number }[] = [];
  for (const provider of candidates) {
    const name = provider.name as BackendName;
    try {
      const timing = await timeSteps(shape, name, 1, TIMED_STEPS, WARMUP_STEPS);
      timed.push({ name, msPerStep: timing.msPerStep });
      measured.push({
        name,
        msPerStep: timing.msPerStep,
        ...(timing.compiled ? { note: 'the compiled WebGPU step' } : {}),
      });
    } catch (error) {
      measured.push({ name, note: `failed while timing: ${(error as Error).message}` });
    }
  }
  return { chosen: pickFastest(timed), measured };
}

/**
 * The fastest of the timed backends (given in the registry's order), by at least {@link SWITCH_FACTOR} over
 * the first; else the first. With the sentence the run shows.
 */
export function pickFastest(
  timed: { name: BackendName; msPerStep: number }[],
): { name: BackendName; reason: string } | null {
  const first = timed[0];
  if (!first) return null;
  const fastest = timed.reduce((best, t) => (t.msPerStep < best.msPerStep ? t : best), first);
  const ms = (t: { msPerStep: number }) => `${t.msPerStep.toFixed(1)} ms`;
  if (fastest === first)
    return { name: first.name, reason: `${first.name}: the fastest on this run's model (${ms(first)} per step)` };
  const factor = first.msPerStep / fastest.msPerStep;
  return factor >= SWITCH_FACTOR
    ? {
        name: fastest.name,
        reason: `${fastest.name}: ${factor.toFixed(1)}× faster than ${first.name} on this run's model (${ms(fastest)} vs ${ms(first)} per step)`,
      }
    : {
        name: first.name,
        reason: `${first.name}: ${fastest.name} was only ${factor.toFixed(2)}× faster (${ms(fastest)} vs ${ms(first)} per step), within timing noise (a switch needs ${SWITCH_FACTOR}×)`,
      };
}

/** The evidence in the registry's order. */
function orderLike(measured: BackendChoiceEvidence['measured']): BackendChoiceEvidence['measured'] {
  const order = BACKENDS.map((b) => b.name as string);
  return [...measured].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}
