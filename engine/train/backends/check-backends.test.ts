import { describe, expect, it } from 'vitest';
import { checkBackends } from './check-backends';
import { BACKENDS } from './registry';
import { activeBackend, selectBackend } from './select-backend';

describe('checking the backends (doctor)', () => {
  it('lists every backend in auto order, says why the unusable ones cannot run, times the usable ones, and leaves the active backend as it was', async () => {
    await selectBackend('cpu');
    const checks = await checkBackends(1500);
    expect(checks.map((c) => c.name)).toEqual(BACKENDS.map((b) => b.name));
    for (const check of checks) {
      if (check.usable) expect(check.stepMs, check.name).toBeGreaterThan(0);
      else expect(check.reason, check.name).toMatch(/; to use it, /);
    }
    // wasm and cpu come with the project: always usable.
    expect(checks.filter((c) => c.usable).map((c) => c.name)).toEqual(expect.arrayContaining(['wasm', 'cpu']));
    expect(activeBackend()?.name).toBe('cpu');
  }, 60_000);
});
