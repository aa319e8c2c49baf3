import type { BackendCheck } from '../protocol/backends';
import { SHAPES } from '../train/step-shapes';
import { timeSteps } from './step-timing';
import { pickFastest } from './choose-backend';
import { BACKENDS, type BackendName } from '../runtime/backends/registry';
import { activateProvider, activeBackend, selectBackend } from '../runtime/backends/select-backend';

const MLP = SHAPES.find((shape) => shape.name === 'mlp');

/**
 * Every backend of the registry, usable or not and why not, each usable one timed on the benchmark's MLP
 * step within about `budgetMs` (as training runs it: webgpu on the compiled step), and which one `auto` would
 * choose for that model from those times. A backend that was active before is made active again.
 */
export async function checkBackends(budgetMs = 5000): Promise<BackendCheck[]> {
  const before = activeBackend();
  const checks = new Map<string, BackendCheck>();
  for (const provider of [...BACKENDS].reverse()) {
    let info;
    try {
      info = await activateProvider(provider);
    } catch (error) {
      checks.set(provider.name, {
        name: provider.name,
        usable: false,
        reason: `${(error as Error).message}; to use it, ${provider.installHint}`,
      });
      continue;
    }
    const autoSkips =
      provider.fallbackOnly ?? (info.adapter?.software ? 'a software adapter (the CPU emulating a GPU)' : undefined);
    checks.set(provider.name, {
      name: provider.name,
      usable: true,
      version: info.version,
      threads: info.threads,
      ...(info.adapter ? { adapter: info.adapter } : {}),
      ...(MLP ? { stepMs: await timeWithin(provider.name, budgetMs) } : {}),
      ...(autoSkips ? { autoSkips } : {}),
    });
  }
  if (before) await selectBackend(before.name as BackendName);
  const ordered = BACKENDS.map((provider) => checks.get(provider.name) as BackendCheck);
  const timed = ordered.flatMap((c) =>
    c.usable && !c.autoSkips && c.stepMs !== undefined ? [{ name: c.name as BackendName, msPerStep: c.stepMs }] : [],
  );
  const chosen = pickFastest(timed)?.name ?? ordered.find((c) => c.usable)?.name;
  return ordered.map((c) => (c.name === chosen ? { ...c, auto: true } : c));
}

/**
 * Two timed steps tell the pace; where three runs of at least two steps (and their warm-up) still fit in the
 * budget, the median of those is more exact, else the first pace is the answer.
 */
async function timeWithin(name: BackendName, budgetMs: number): Promise<number> {
  const shape = MLP as NonNullable<typeof MLP>;
  const first = (await timeSteps(shape, name, 1, 2, 1)).msPerStep;
  const steps = Math.min(50, Math.floor(budgetMs / 4 / Math.max(first, 0.1)));
  return steps < 2 ? first : (await timeSteps(shape, name, 3, steps, 2)).msPerStep;
}
