import { describe, expect, it } from 'vitest';
import { checkBackends } from './check-backends';
import { BACKENDS } from '../runtime/backends/registry';
import { activeBackend, selectBackend } from '../runtime/backends/select-backend';

describe('checking the backends (doctor)', () => {
  it('lists every backend, says why the unusable ones cannot run, times the usable ones, and leaves the active backend as it was', async () => {
    await selectBackend('cpu');
    const checks = await checkBackends(1500);
    expect(checks.map((c) => c.name)).toEqual(BACKENDS.map((b) => b.name));
    for (const check of checks) {
      if (check.usable) expect(check.stepMs, check.name).toBeGreaterThan(0);
      else expect(check.reason, check.name).toMatch(/; to use it, /);
    }
    // wasm and cpu come with the project: always usable.
    expect(checks.filter((c) => c.usable).map((c) => c.name)).toEqual(expect.arrayContaining(['wasm', 'cpu']));
    // Auto takes one of the backends it times, never cpu or a software adapter: wasm where it is the only one.
    const timedByAuto = checks.filter((c) => c.usable && !c.autoSkips).map((c) => c.name);
    const auto = checks.filter((c) => c.auto).map((c) => c.name);
    expect(auto).toHaveLength(1);
    expect(timedByAuto).toContain(auto[0]);
    if (timedByAuto.length === 1) expect(auto).toEqual(['wasm']);
    expect(checks.find((c) => c.name === 'cpu')?.autoSkips).toMatch(/plain JavaScript/);
    const webgpu = checks.find((c) => c.name === 'webgpu');
    if (webgpu?.adapter?.software) expect(webgpu.autoSkips).toMatch(/software adapter/);
    expect(activeBackend()?.name).toBe('cpu');
  }, 60_000);
});
