import type { BackendCheck } from '../../protocol/backends';
import { SHAPES } from '../step-shapes';
import { timeSteps } from '../step-timing';
import { BACKENDS } from './registry';
import { activateProvider, activeBackend, selectBackend } from './select-backend';

const MLP = SHAPES.find((shape) => shape.name === 'mlp');

/**
 * Every backend of the registry, usable or not and why not, each usable one timed on the benchmark's MLP
 * step within about `budgetMs`. Backends are tried from the least preferred to the most, so the one left
 * active is the one `auto` would pick; a backend that was active before is made active again.
 */
export async function checkBackends(budgetMs = 5000): Promise<BackendCheck[]> {
  const before = activeBackend();
  const checks = new Map<string, BackendCheck>();
  for (const provider of [...BACKENDS].reverse()) {
    let info;
    try {
      info = await activateProvider(provider);
    } catch (error) {
      checks.set(provider.name, { name: provider.name, usable: false, reason: `${(error as Error).message}; to use it, ${provider.installHint}` });
      continue;
    }
    checks.set(provider.name, { name: provider.name, usable: true, version: info.version, threads: info.threads, ...(MLP ? { stepMs: await timeWithin(provider.name, budgetMs) } : {}) });
  }
  if (before) await selectBackend(before.name as (typeof BACKENDS)[number]['name']);
  return BACKENDS.map((provider) => checks.get(provider.name) as BackendCheck);
}

/** A first step or two tell the pace; then as many timed steps (three runs) as fit in the budget. */
async function timeWithin(name: (typeof BACKENDS)[number]['name'], budgetMs: number): Promise<number> {
  const shape = MLP as NonNullable<typeof MLP>;
  const first = await timeSteps(shape, name, 1, 2, 1);
  const steps = Math.max(2, Math.min(50, Math.floor((budgetMs * 0.7) / 3 / Math.max(first.msPerStep, 0.1))));
  if (steps * first.msPerStep * 3 > budgetMs) return first.msPerStep;
  return (await timeSteps(shape, name, 3, steps, 2)).msPerStep;
}
