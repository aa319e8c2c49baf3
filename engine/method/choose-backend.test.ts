import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../protocol/run';
import { backendForRun, pickFastest, timeAndChoose } from './choose-backend';
import { cpuBackend } from '../runtime/backends/cpu/provider';
import { nodeGpu } from '../runtime/backends/webgpu/dawn';
import { activeBackend, selectBackend } from '../runtime/backends/select-backend';
import { wasmBackend } from '../runtime/backends/wasm/provider';

describe("auto's choice between timed backends", () => {
  it("takes the fastest when it is clearly faster than the registry's first, and says by how much", () => {
    expect(
      pickFastest([
        { name: 'wasm', msPerStep: 13 },
        { name: 'webgpu', msPerStep: 2 },
      ]),
    ).toEqual({
      name: 'webgpu',
      reason: "webgpu: 6.5× faster than wasm on this run's model (2.0 ms vs 13.0 ms per step)",
    });
  });

  it('keeps the first when another is faster only within timing noise, so reruns do not swap backends', () => {
    const chosen = pickFastest([
      { name: 'native', msPerStep: 10 },
      { name: 'wasm', msPerStep: 9 },
    ]);
    expect(chosen?.name).toBe('native');
    expect(chosen?.reason).toContain('within timing noise');
  });

  it('keeps the first when it is the fastest, and has nothing to choose from nothing', () => {
    expect(
      pickFastest([
        { name: 'wasm', msPerStep: 5 },
        { name: 'webgpu', msPerStep: 50 },
      ])?.name,
    ).toBe('wasm');
    expect(pickFastest([])).toBeNull();
  });
});

const SMALL = {
  modalities: [
    { name: 'a', kind: 'vector' as const, shape: [16] },
    { name: 'b', kind: 'vector' as const, shape: [16] },
  ],
  config: DEFAULT_CONFIG,
  classes: 3,
  batch: 32,
};

describe("timing backends on a run's model", () => {
  it('times each candidate on the model and chooses by the times, recording them', async () => {
    const { chosen, measured } = await timeAndChoose([wasmBackend, cpuBackend], SMALL);
    expect(measured.map((m) => m.name)).toEqual(['wasm', 'cpu']);
    measured.forEach((m) => expect(m.msPerStep).toBeGreaterThan(0));
    expect(chosen).toEqual(
      pickFastest(measured.map((m) => ({ name: m.name as 'wasm' | 'cpu', msPerStep: m.msPerStep ?? NaN }))),
    );
  }, 60_000);
});

// A machine with a hardware WebGPU adapter times it against wasm; the choice below is a CPU-only machine's.
const hardwareGpu = await nodeGpu().then(
  (gpu) => !gpu.info.software,
  () => false,
);

describe.skipIf(hardwareGpu)(
  'auto on a machine without a GPU (no CUDA, no native TensorFlow, at most a software adapter)',
  () => {
    it('chooses wasm and records why each other backend was not timed', async () => {
      const info = await backendForRun('auto', SMALL);
      expect(info.name).toBe('wasm');
      const notes = Object.fromEntries((info.choice?.measured ?? []).map((m) => [m.name, m.note ?? '']));
      expect(Object.keys(notes)).toEqual(['gpu', 'native', 'wasm', 'cpu', 'webgpu']);
      expect(notes.gpu).toMatch(/^not usable: /);
      expect(notes.cpu).toMatch(/^not timed: plain JavaScript/);
      // With Mesa's lavapipe (CI) the adapter starts but is software; without a driver the backend does not start.
      expect(notes.webgpu).toMatch(/^not (timed: .*software adapter|usable: )/);
      expect(info.choice?.reason).toBe('wasm: the only usable backend here that is worth timing');
      // A backend a run asked for by name is not what a later `auto` run inherits; auto's own choice is kept.
      await selectBackend('cpu');
      expect((await backendForRun('auto', SMALL)).name).toBe('wasm');
      expect(await backendForRun('auto', SMALL)).toBe(activeBackend());
    }, 60_000);
  },
);
